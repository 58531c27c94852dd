"""Writing through the JSON API: the same services and rules as the browser, validation errors as
422 problems with one entry per field, and nothing written when a request is refused."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from advocacy.db import db_session
from advocacy.models import Account, Contact, Engagement, ServiceLine, StageChange, Touchpoint
from tests.api.api_helpers import Api, assert_problem
from tests.factories import make_account, make_contact, make_service_line


def _count(api: Api, model: type) -> int:
    with api.app.app_context():
        return db_session().exec(select(func.count()).select_from(model)).one()


def _account(api: Api, owner: str | None = "am", **fields) -> Account:
    with api.app.app_context():
        return make_account(db_session(), owner=api.users[owner] if owner else None, **fields)


def test_an_account_manager_creates_an_account_and_its_history_starts(api: Api) -> None:
    response = api.post(
        "/api/v1/accounts",
        {
            "name": "  Northwind  ",
            "industry": "Banking",
            "country": "fr",
            "owner_id": api.users["am"].id,
        },
        "am",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["name"] == "Northwind" and body["country"] == "FR" and body["stage"] == "prospect"
    assert response.headers["Location"] == f"/api/v1/accounts/{body['id']}"
    assert api.get(response.headers["Location"], "am").get_json() == body
    assert _count(api, StageChange) == 1


def test_a_refused_account_lists_every_bad_field_and_writes_nothing(api: Api) -> None:
    response = api.post(
        "/api/v1/accounts",
        {"name": "", "country": "XX", "size_band": "huge", "stage": "nowhere", "colour": "red"},
    )
    body = assert_problem(response, 422)
    fields = {tuple(error["loc"]) for error in body["errors"]}
    assert fields == {
        ("body", "name"),
        ("body", "country"),
        ("body", "size_band"),
        ("body", "stage"),
        ("body", "colour"),
    }
    assert all(error["message"] and error["type"] for error in body["errors"])
    assert _count(api, Account) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": 123},
        {"name": ["a"]},
        {"name": None},
        {"name": "x" * 201},
        {"name": "a\x00b"},
        {"name": "\ud800"},
        {"name": "ok", "owner_id": 2**63},
        {"name": "ok", "owner_id": "many"},
        {"name": "ok", "notes": {"nested": True}},
    ],
)
def test_wrong_types_huge_ids_and_nul_bytes_are_422_problems(api: Api, body: dict) -> None:
    assert_problem(api.post("/api/v1/accounts", body), 422)
    assert _count(api, Account) == 0


def test_an_unknown_owner_is_refused_with_the_rule_message(api: Api) -> None:
    body = assert_problem(api.post("/api/v1/accounts", {"name": "X", "owner_id": 99999}), 422)
    assert "owner" in body["detail"]


def test_an_account_manager_may_only_change_accounts_they_own_or_work_on(api: Api) -> None:
    mine, theirs = _account(api, "am"), _account(api, "other_am", notes="keep")
    ok = api.patch(f"/api/v1/accounts/{mine.id}", {"industry": "Retail"}, "am")
    assert ok.status_code == 200 and ok.get_json()["industry"] == "Retail"
    assert_problem(api.patch(f"/api/v1/accounts/{theirs.id}", {"notes": "x"}, "am"), 403)
    assert api.get(f"/api/v1/accounts/{theirs.id}").get_json()["notes"] == "keep"
    assert api.patch(f"/api/v1/accounts/{theirs.id}", {"notes": "x"}, "admin").status_code == 200


def test_an_update_may_clear_an_optional_field_but_not_a_required_one(api: Api) -> None:
    account = _account(api, "am", external_id="crm-1")
    cleared = api.patch(f"/api/v1/accounts/{account.id}", {"external_id": None}, "am")
    assert cleared.status_code == 200 and cleared.get_json()["external_id"] is None
    for field in ("name", "industry", "notes"):
        assert_problem(api.patch(f"/api/v1/accounts/{account.id}", {field: None}, "am"), 422)


def test_a_duplicate_external_id_is_a_409_conflict(api: Api) -> None:
    _account(api, "am", external_id="crm-1")
    assert_problem(api.post("/api/v1/accounts", {"name": "B", "external_id": "crm-1"}), 409)
    assert _count(api, Account) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/contacts", {"full_name": "Ana", "external_id": "crm-9"}),
        ("/api/v1/engagements", {"title": "Audit", "external_id": "crm-9"}),
    ],
)
def test_an_external_id_in_use_is_a_409_conflict_whatever_the_record(
    api: Api, path: str, body: dict
) -> None:
    account = _account(api, "am")
    body = {**body, "account_id": account.id}
    assert api.post(path, body, "am").status_code == 201
    problem = assert_problem(api.post(path, body, "am", headers={"Accept-Language": "fr"}), 409)
    assert "déjà" in problem["detail"]


def test_patching_an_unknown_account_is_a_404_problem(api: Api) -> None:
    assert_problem(api.patch("/api/v1/accounts/4242", {"name": "X"}), 404)


def test_contacts_are_added_to_an_account_and_changed(api: Api) -> None:
    account = _account(api, "am")
    response = api.post(
        "/api/v1/contacts",
        {
            "account_id": account.id,
            "full_name": "Ana Lima",
            "email": "Ana@Client.example",
            "roles": ["sponsor", "decision_maker"],
        },
        "am",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    contact = response.get_json()
    assert contact["email"] == "ana@client.example"
    assert contact["roles"] == ["decision_maker", "sponsor"]
    changed = api.patch(
        f"/api/v1/contacts/{contact['id']}", {"full_name": "Ana Lima-Sousa", "roles": []}, "am"
    )
    assert changed.status_code == 200
    assert changed.get_json()["full_name"] == "Ana Lima-Sousa" and changed.get_json()["roles"] == []


def test_a_contact_for_an_unknown_or_foreign_account_is_refused(api: Api) -> None:
    theirs = _account(api, "other_am")
    body = assert_problem(
        api.post("/api/v1/contacts", {"account_id": 4242, "full_name": "A"}, "am"), 422
    )
    assert body["errors"][0]["loc"] == ["body", "account_id"]
    assert_problem(
        api.post("/api/v1/contacts", {"account_id": theirs.id, "full_name": "A"}, "am"), 403
    )
    assert_problem(
        api.post("/api/v1/contacts", {"account_id": theirs.id, "full_name": "A", "email": "nope"}),
        422,
    )
    assert _count(api, Contact) == 0


def test_winning_an_engagement_makes_the_account_active(api: Api) -> None:
    account = _account(api, "am")
    with api.app.app_context():
        line = make_service_line(db_session(), "Audit")
    response = api.post(
        "/api/v1/engagements",
        {
            "account_id": account.id,
            "title": "Audit",
            "status": "won",
            "value": 1500,
            "service_line_ids": [line.id],
        },
        "am",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    engagement = response.get_json()
    assert engagement["value"] == "1500" and engagement["service_line_ids"] == [line.id]
    assert api.get(f"/api/v1/accounts/{account.id}").get_json()["stage"] == "active"
    done = api.patch(
        f"/api/v1/engagements/{engagement['id']}",
        {"status": "completed", "end_date": "2026-11-01"},
        "am",
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    assert api.get(f"/api/v1/accounts/{account.id}").get_json()["stage"] == "between"


def test_a_refused_engagement_change_keeps_the_engagement_as_it_was(api: Api) -> None:
    account = _account(api, "am")
    created = api.post(
        "/api/v1/engagements", {"account_id": account.id, "title": "Audit"}, "am"
    ).get_json()
    # Deferred ("not now") needs a revisit date: a rule spanning fields, checked by the service.
    assert_problem(
        api.patch(f"/api/v1/engagements/{created['id']}", {"status": "deferred"}, "am"), 422
    )
    assert_problem(
        api.patch(f"/api/v1/engagements/{created['id']}", {"service_line_ids": [4242]}, "am"), 422
    )
    assert api.get(f"/api/v1/engagements/{created['id']}").get_json() == created
    assert _count(api, Engagement) == 1


def test_a_touchpoint_is_logged_and_may_not_be_in_the_future(api: Api) -> None:
    account = _account(api, "am")
    with api.app.app_context():
        contact = make_contact(db_session(), account)
    body = {
        "account_id": account.id,
        "contact_id": contact.id,
        "kind": "call",
        "initiative": "client",
        "occurred_at": "2020-01-01T10:00:00+01:00",
        "summary": "Asked about audits",
    }
    response = api.post("/api/v1/touchpoints", body, "am")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["occurred_at"] == "2020-01-01T09:00:00Z"
    assert_problem(
        api.post("/api/v1/touchpoints", {**body, "occurred_at": "2999-01-01T00:00:00Z"}, "am"), 422
    )
    assert_problem(
        api.post("/api/v1/touchpoints", {**body, "occurred_at": "2020-01-01T10:00:00"}, "am"), 422
    )
    assert _count(api, Touchpoint) == 1


def test_touchpoints_cannot_be_changed_through_the_api(api: Api) -> None:
    assert_problem(api.patch("/api/v1/touchpoints/1", {"summary": "x"}), 405)


def test_only_administrators_change_the_service_line_catalogue(api: Api) -> None:
    assert_problem(api.post("/api/v1/service-lines", {"name": "Audit"}, "am"), 403)
    created = api.post("/api/v1/service-lines", {"name": "Audit", "description": "Statutory"})
    assert created.status_code == 201
    line = created.get_json()
    assert_problem(api.post("/api/v1/service-lines", {"name": "audit"}), 409)
    retired = api.patch(f"/api/v1/service-lines/{line['id']}", {"active": False})
    assert retired.status_code == 200 and retired.get_json()["active"] is False
    assert_problem(api.patch(f"/api/v1/service-lines/{line['id']}", {"name": None}), 422)
    assert _count(api, ServiceLine) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/engagements", {"title": "Audit", "start_date": 0}),
        ("/api/v1/engagements", {"title": "Audit", "value": 0.1}),
        ("/api/v1/contacts", {"full_name": "Ana", "influence": "3"}),
        ("/api/v1/contacts", {"full_name": "Ana", "started_on": 0}),
    ],
)
def test_a_json_value_of_the_wrong_type_is_refused_not_converted(
    api: Api, path: str, body: dict
) -> None:
    account = _account(api)
    assert_problem(api.post(path, {**body, "account_id": account.id}), 422)
    assert _count(api, Engagement) == _count(api, Contact) == 0


def test_a_boolean_given_as_a_number_is_refused(api: Api) -> None:
    with api.app.app_context():
        line = make_service_line(db_session(), "Audit")
    assert_problem(api.patch(f"/api/v1/service-lines/{line.id}", {"active": 0}), 422)
    with api.app.app_context():
        assert db_session().get(ServiceLine, line.id).active is True
