"""Reading through the JSON API: filters, pagination with `next`, and what marketing may not see."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from advocacy.db import db_session
from advocacy.models import EngagementCreate, TouchpointCreate
from advocacy.services.journey.engagements import add_engagement_to
from advocacy.services.journey.touchpoints import add_touchpoint_to
from tests.api.api_helpers import Api, assert_problem
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_touchpoint,
)


def _follow(api: Api, path: str, who: str = "admin") -> list[dict]:
    """Every item of a list, following `next` links."""
    items: list[dict] = []
    while path:
        response = api.get(path, who)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items += body["items"]
        following = body["next"]
        path = (
            "" if following is None else urlsplit(following).path + "?" + urlsplit(following).query
        )
    return items


def test_accounts_are_paginated_with_cursors_without_repeats_or_gaps(api: Api) -> None:
    with api.app.app_context():
        ids = [make_account(db_session(), name=f"Client {n}").id for n in range(7)]
    first = api.get("/api/v1/accounts?limit=3").get_json()
    assert [item["id"] for item in first["items"]] == ids[:3]
    assert first["next"].startswith("http://localhost/api/v1/accounts?")
    assert [item["id"] for item in _follow(api, "/api/v1/accounts?limit=3")] == ids
    last = api.get("/api/v1/accounts?limit=7").get_json()
    assert last["next"] is None


def test_accounts_can_be_paginated_by_page_number(api: Api) -> None:
    with api.app.app_context():
        ids = [make_account(db_session()).id for _ in range(5)]
    second = api.get("/api/v1/accounts?limit=2&page=2").get_json()
    assert [item["id"] for item in second["items"]] == ids[2:4]
    assert "page=3" in second["next"]
    assert [item["id"] for item in _follow(api, "/api/v1/accounts?limit=2&page=1")] == ids


def test_next_links_keep_the_filters(api: Api) -> None:
    with api.app.app_context():
        for n in range(4):
            make_account(db_session(), name=f"Acme {n}", industry="Banking")
        make_account(db_session(), name="Other", industry="Retail")
    items = _follow(api, "/api/v1/accounts?limit=1&industry=banking")
    assert [item["name"] for item in items] == [f"Acme {n}" for n in range(4)]


def test_accounts_filter_by_stage_owner_camp_name_and_update_time(api: Api) -> None:
    am = api.users["am"]
    with api.app.app_context():
        mine = make_account(db_session(), owner=am, name="Northwind 50% Ltd")
        make_account(db_session(), name="Contoso", stage="active")

    def names(query: str) -> list[str]:
        return [i["name"] for i in api.get("/api/v1/accounts?" + query).get_json()["items"]]

    assert names(f"owner_id={am.id}") == [mine.name]
    assert names("stage=active") == ["Contoso"]
    assert names("q=north") == [mine.name]
    assert names("q=50%25") == [mine.name]
    assert names("q=_") == []
    assert len(names("camp=unknown")) == 2
    since = (NOW + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert names(f"updated_since={since}") == []


@pytest.mark.parametrize(
    "query",
    [
        "stage=nowhere",
        "limit=0",
        "limit=201",
        "limit=abc",
        "page=0",
        "owner_id=99999999999999999999",
        "cursor=!!!",
        "cursor=12345678901",  # longer than an id
        "updated_since=yesterday",
        "updated_since=2026-01-01T00:00:00",  # no time zone
        "unknown=1",
        "stage=active&stage=former",
        "q=",
    ],
)
def test_bad_list_parameters_are_refused_with_a_422_problem(api: Api, query: str) -> None:
    body = assert_problem(api.get("/api/v1/accounts?" + query), 422)
    assert body["errors"] and body["errors"][0]["loc"][0] == "query"


def test_a_nul_byte_in_a_parameter_is_a_400_problem(api: Api) -> None:
    assert_problem(api.get("/api/v1/accounts?q=a%00b"), 400)


def test_contacts_filter_by_account_status_and_email(api: Api) -> None:
    with api.app.app_context():
        account = make_account(db_session())
        other = make_account(db_session())
        ana = make_contact(db_session(), account, full_name="Ana", email="ana@client.example")
        make_contact(db_session(), other, full_name="Bo")
    items = api.get(f"/api/v1/contacts?account_id={account.id}").get_json()["items"]
    assert [(i["id"], i["full_name"]) for i in items] == [(ana.id, "Ana")]
    items = api.get("/api/v1/contacts?email=ANA@client.example").get_json()["items"]
    assert [i["id"] for i in items] == [ana.id]
    assert len(api.get("/api/v1/contacts?status=active").get_json()["items"]) == 2
    assert api.get("/api/v1/contacts?status=left").get_json()["items"] == []


def test_marketing_reads_no_notes_emails_or_phones(api: Api) -> None:
    with api.app.app_context():
        account = make_account(db_session(), notes="Private: CFO is unhappy")
        contact = make_contact(
            db_session(), account, email="ana@client.example", phone="+33 1 23 45 67 89"
        )
    for path in (f"/api/v1/accounts/{account.id}", "/api/v1/accounts"):
        text = api.get(path, "marketing").get_data(as_text=True)
        assert "CFO is unhappy" not in text
    for path in (f"/api/v1/contacts/{contact.id}", "/api/v1/contacts"):
        text = api.get(path, "marketing").get_data(as_text=True)
        assert "ana@client.example" not in text and "23 45" not in text
    assert api.get(f"/api/v1/contacts/{contact.id}", "marketing").get_json()["email"] is None
    # The same rows, read by an account manager, carry the details.
    assert api.get(f"/api/v1/accounts/{account.id}", "am").get_json()["notes"]
    assert api.get(f"/api/v1/contacts/{contact.id}", "am").get_json()["email"]


def test_marketing_may_not_look_contacts_up_by_email(api: Api) -> None:
    assert_problem(api.get("/api/v1/contacts?email=ana@client.example", "marketing"), 403)


def test_marketing_reads_touchpoints_without_the_text_of_private_notes(api: Api) -> None:
    with api.app.app_context():
        account = make_account(db_session())
        for kind, summary in [("note", "Rumour: merger"), ("testimonial", "Great work")]:
            add_touchpoint_to(
                db_session(),
                account,
                TouchpointCreate(kind=kind, initiative="client", occurred_at=NOW, summary=summary),
                by=None,
                now=NOW,
            )
        db_session().commit()
    text = api.get("/api/v1/touchpoints", "marketing").get_data(as_text=True)
    assert "Great work" in text and "merger" not in text
    assert "merger" in api.get("/api/v1/touchpoints", "am").get_data(as_text=True)


def test_touchpoints_filter_by_account_kind_initiative_and_time(api: Api) -> None:
    with api.app.app_context():
        account = make_account(db_session())
        other = make_account(db_session())
        for target, kind, initiative, days in [
            (account, "call", "client", 10),
            (account, "meeting", "firm", 1),
            (other, "call", "client", 1),
        ]:
            add_touchpoint_to(
                db_session(),
                target,
                TouchpointCreate(
                    kind=kind, initiative=initiative, occurred_at=NOW - timedelta(days=days)
                ),
                by=None,
                now=NOW,
            )
        db_session().commit()

    def count(query: str) -> int:
        return len(api.get("/api/v1/touchpoints?" + query).get_json()["items"])

    assert count(f"account_id={account.id}") == 2
    assert count("kind=call") == 2
    assert count(f"kind=call&initiative=client&account_id={account.id}") == 1
    since = (NOW - timedelta(days=2)).isoformat()
    assert count("since=" + since.replace("+", "%2B")) == 2


def test_engagements_carry_their_service_lines_and_people(api: Api) -> None:
    with api.app.app_context():
        account = make_account(db_session())
        contact = make_contact(db_session(), account)
        line = make_service_line(db_session(), "Audit")
        engagement = add_engagement_to(
            db_session(),
            account,
            EngagementCreate(
                title="Audit 2026",
                status="won",
                value="12000.50",
                service_line_ids=[line.id],
                contact_ids=[contact.id],
            ),
            by=None,
            now=NOW,
        )
        db_session().commit()
    body = api.get(f"/api/v1/engagements/{engagement.id}", "marketing").get_json()
    assert body["service_line_ids"] == [line.id] and body["contact_ids"] == [contact.id]
    assert body["status"] == "won" and body["value"] == "12000.50"
    listed = api.get(f"/api/v1/engagements?account_id={account.id}&status=won").get_json()
    assert [item["id"] for item in listed["items"]] == [engagement.id]
    assert api.get("/api/v1/engagements?status=lost").get_json()["items"] == []


def test_service_lines_filter_by_active(api: Api) -> None:
    with api.app.app_context():
        make_service_line(db_session(), "Audit")
        make_service_line(db_session(), "Tax")
    assert len(api.get("/api/v1/service-lines?active=true", "marketing").get_json()["items"]) == 2
    assert api.get("/api/v1/service-lines?active=false").get_json()["items"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/999",
        "/api/v1/contacts/999",
        "/api/v1/engagements/999",
        "/api/v1/touchpoints/999",
        "/api/v1/service-lines/999",
        "/api/v1/accounts/99999999999999999999",
        "/api/v1/accounts/0",
        "/api/v1/accounts/-1",
        "/api/v1/accounts/abc",
    ],
)
def test_an_unknown_or_impossible_id_is_a_404_problem(api: Api, path: str) -> None:
    assert_problem(api.get(path), 404)


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/accounts?updated_since=0",
        "/api/v1/touchpoints?since=-888293",
        "/api/v1/check-ins?due_before=0",
        "/api/v1/service-lines?active=0",
        "/api/v1/service-lines?active=no",
    ],
)
def test_a_number_for_a_date_or_a_boolean_in_the_query_is_refused(api: Api, query: str) -> None:
    assert_problem(api.get(query), 422)


def test_an_if_none_match_over_its_documented_length_is_refused(api: Api) -> None:
    too_long = '"' + "a" * 250 + '"'
    assert_problem(api.get("/api/v1/testimonials", headers={"If-None-Match": too_long}), 422)


def test_an_accounts_awareness_lists_each_active_line_with_its_state_dates_and_index(
    api: Api,
) -> None:
    with api.app.app_context():
        session = db_session()
        tax, esg = make_service_line(session, "Tax"), make_service_line(session, "ESG")
        account = make_account(session, name="Harbour")
        make_engagement(session, account, status="won", service_line_ids=[tax.id])
        met = make_touchpoint(session, account, kind="meeting", service_line_id=esg.id)
    response = api.get(f"/api/v1/accounts/{account.id}/awareness", "marketing")
    assert response.status_code == 200
    body = response.get_json()
    assert body["account_id"] == account.id and body["typecasting_index"] == 0.5
    lines = {line["name"]: line for line in body["lines"]}
    assert lines["Tax"]["state"] == "bought" and lines["Tax"]["bought_at"]
    assert lines["ESG"]["state"] == "introduced"
    assert lines["ESG"]["introduced_at"].startswith(met.occurred_at.date().isoformat())
    assert lines["ESG"]["relevant"] and lines["ESG"]["engaged_at"] is None


def test_the_awareness_of_an_unknown_account_is_a_404_problem(api: Api) -> None:
    response = api.get("/api/v1/accounts/999999/awareness")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_awareness_resource_is_in_the_openapi_document(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/accounts/{account_id}/awareness"]["get"]
    assert operation["security"] == [{"bearerAuth": ["read"]}]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/AccountAwarenessPublic")
    line = document["components"]["schemas"]["LineAwarenessItem"]
    assert set(line["properties"]) >= {"state", "relevant", "introduced_at", "bought_at"}
