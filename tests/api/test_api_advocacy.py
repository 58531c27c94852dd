"""The advocacy endpoints of the JSON API: the library as each token's audience may see it (publish
tokens for the website, read tokens for the firm's tools), ETags, cursor pages, the per-token rate
limit, refused tokens, and the check-in and referral writes with the pages' role rules."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from advocacy import models
from advocacy.db import db_session
from advocacy.models import CheckIn, Referral, Survey, Touchpoint
from advocacy.services.access import tokens
from advocacy.services.voice import testimonials
from tests.api.api_helpers import Api, api_with_users, assert_problem
from tests.conftest import NOW
from tests.factories import (
    bearer,
    make_account,
    make_contact,
    make_service_line,
    make_testimonial,
    make_token,
)
from tests.factories_checkins import CO_BOUGHT_EN, CO_BOUGHT_FR, CO_BOUGHT_POINT

LIST = "/api/v1/testimonials"


@pytest.fixture
def api(app: Flask) -> Api:
    return _api(app)


def _api(app: Flask) -> Api:
    """The usual users, plus `website`: a publish token of the marketing user."""
    api = api_with_users(app)
    with app.app_context():
        api.secrets["website"] = make_token(db_session(), api.users["marketing"], ("publish",))
    return api


def _library(app: Flask) -> dict[str, int]:
    """Testimonials at every consent level; returns their ids by name."""
    with app.app_context():
        session = db_session()
        account = make_account(
            session, name="Globex", industry="Banking", country="FR", size_band="51-200"
        )
        ann = make_contact(session, account, email="ann@globex.example", phone="+33 1 23")
        line = make_service_line(session, "Audit")

        def quote(status: str, uses: dict[str, Any], **fields: Any) -> int:
            return make_testimonial(session, ann, status=status, uses=uses, **fields).id

        ids = {
            "named": quote(
                "published", {"named_public": None, "logo": None},
                display_title="CFO", display_company="Globex", rating=5,
                outcomes="Faster close, Lower risk", industry="Banking",
            ),
            "anonymised": quote(
                "published", {"anonymised_public": None, "reference_calls": None},
                display_title="Head of risk", display_company="Globex", industry="Banking",
                body="Our audit went smoothly.", rating=3,
            ),
            "internal": quote("published", {"internal": None}),
            "approved": quote("approved", {"named_public": None}),
            "draft": quote("submitted", {"named_public": None}),
        }  # fmt: skip
        session.add(
            models.TestimonialServiceLine(testimonial_id=ids["named"], service_line_id=line.id)
        )
        session.commit()
        ids["line"] = line.id
    return ids


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def test_a_publish_token_sees_only_published_public_quotes_and_no_contact_data(api: Api) -> None:
    ids = _library(api.app)
    response = api.get(LIST, "website")
    assert _ids(response) == {ids["named"], ids["anonymised"]}
    text = response.get_data(as_text=True)
    assert "ann@globex.example" not in text and "+33" not in text
    items = {item["id"]: item for item in response.get_json()["items"]}
    named, anonymised = items[ids["named"]], items[ids["anonymised"]]
    assert named["attribution"] == "Ann Client, CFO, Globex" and named["logo"] is True
    assert anonymised["naming"] == "anonymised"
    assert anonymised["attribution"] == "Head of risk, Banking"
    assert anonymised["author_name"] == "" and anonymised["author_company"] == ""
    assert "Globex" not in json.dumps(anonymised)
    assert anonymised["reference_contact"] is False
    assert named["account_id"] is None and named["contact_id"] is None
    for hidden in ("internal", "approved", "draft"):
        assert api.get(f"{LIST}/{ids[hidden]}", "website").status_code == 404


def test_a_marketing_read_token_sees_internal_and_approved_quotes_but_no_drafts(api: Api) -> None:
    ids = _library(api.app)
    response = api.get(LIST, "marketing")
    assert _ids(response) == {ids[k] for k in ("named", "anonymised", "internal", "approved")}
    items = {item["id"]: item for item in response.get_json()["items"]}
    assert items[ids["anonymised"]]["reference_contact"] is True
    assert items[ids["internal"]]["account_id"] is not None
    assert "ann@globex.example" not in response.get_data(as_text=True)
    assert api.get(f"{LIST}/{ids['internal']}", "marketing").status_code == 200


def test_a_publish_token_reaches_nothing_but_the_library(api: Api) -> None:
    _library(api.app)
    for path in ("/api/v1/accounts", "/api/v1/contacts", "/api/v1/survey-answers"):
        body = assert_problem(api.get(path, "website"), 403)
        assert "scope" in body["detail"]
    assert_problem(api.post("/api/v1/check-ins/1/complete", {}, "website"), 403)


def test_the_filters_narrow_the_library(api: Api) -> None:
    ids = _library(api.app)

    def found(query: str, who: str = "marketing") -> set[int]:
        return _ids(api.get(f"{LIST}?{query}", who))

    assert found(f"service_line_id={ids['line']}") == {ids["named"]}
    assert found("tag=faster%20close") == {ids["named"]}
    assert found("tag=faster") == set()  # a tag matches whole, not a part of one
    assert found("q=SMOOTHLY") == {ids["anonymised"]}
    with api.app.app_context():
        session = db_session()
        zurich = make_testimonial(
            session,
            make_contact(session, make_account(session)),
            status="published",
            uses={"named_public": None},
            body="Notre équipe à ZÜRICH a gagné six semaines.",
            outcomes="Délais TENUS",
        ).id
    assert found("q=%C3%89QUIPE%20%C3%A0%20z%C3%BCrich") == {zurich}  # "ÉQUIPE à zürich"
    assert found("tag=d%C3%A9lais%20tenus", "website") == {zurich}  # "délais tenus"
    assert found("min_rating=4") == {ids["named"]}
    assert found("industry=banking&country=fr&size_band=51-200&language=en") == {
        ids["named"],
        ids["anonymised"],
    }
    assert found("country=DE") == set()
    assert found("permission=reference_calls") == {ids["anonymised"]}
    # Outside the firm a permission filter reveals nothing the answer does not show.
    assert found("permission=reference_calls", "website") == set()
    assert found("permission=logo", "website") == {ids["named"]}
    assert found("since=2100-01-01T00:00:00Z") == set()


def test_bad_filters_are_refused_as_problems(api: Api) -> None:
    for query in ("min_rating=9", "permission=everything", "page=2", "cursor=nope", "size_band=x"):
        assert_problem(api.get(f"{LIST}?{query}", "website"), 422)


def test_the_library_pages_with_cursors_without_repeats_or_gaps(api: Api) -> None:
    with api.app.app_context():
        session = db_session()
        contact = make_contact(session, make_account(session))
        shown = []
        # Runs of hidden quotes between the shown ones, short and long: a page is filled after
        # the policy's cut, over as many reads as it takes.
        for n, hidden in enumerate((1, 0, 5, 40, 2, 0, 12)):
            for m in range(hidden):
                # Internal only, or public but not yet published: neither is for the website.
                if m % 3 == 2:
                    make_testimonial(
                        session, contact, status="approved", uses={"named_public": None}
                    )
                else:
                    make_testimonial(session, contact, status="published", uses={"internal": None})
            row = make_testimonial(
                session, contact, status="published", uses={"named_public": None}, body=f"#{n}"
            )
            shown.append(row.id)
    seen: list[int] = []
    path: str | None = f"{LIST}?limit=3"
    while path:
        body = api.get(path, "website").get_json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        following = body["next"]
        path = (
            None if following is None else f"{urlsplit(following).path}?{urlsplit(following).query}"
        )
    assert seen == shown


def test_an_unchanged_library_answers_304_and_a_withdrawal_changes_the_etag(api: Api) -> None:
    ids = _library(api.app)
    first = api.get(LIST, "website")
    etag = first.headers["ETag"]
    assert etag and "Authorization" in first.headers["Vary"]
    again = api.get(LIST, "website", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # Another audience gets another body, so another validator.
    assert api.get(LIST, "marketing").headers["ETag"] != etag
    with api.app.app_context():
        testimonials.withdraw_on_behalf(
            db_session(), ids["named"], "asked by phone", by=api.users["marketing"], now=NOW
        )
    after = api.get(LIST, "website", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert _ids(after) == {ids["anonymised"]}
    single = api.get(f"{LIST}/{ids['anonymised']}", "website")
    assert (
        api.get(
            f"{LIST}/{ids['anonymised']}",
            "website",
            headers={"If-None-Match": single.headers["ETag"]},
        ).status_code
        == 304
    )


def test_each_token_has_its_own_rate_limit_and_429_is_a_problem(app_factory: Any) -> None:
    api = _api(app_factory(api_rate_limit="3 per minute"))
    for _ in range(3):
        assert api.get(LIST, "website").status_code == 200
    body = assert_problem(api.get(LIST, "website"), 429)
    assert body["detail"]
    assert api.get(LIST, "marketing").status_code == 200


def test_expired_and_revoked_tokens_are_refused(api: Api, now) -> None:
    with api.app.app_context():
        session = db_session()
        marketer = api.users["marketing"]
        expired = make_token(
            session, marketer, ("publish",), now=now - timedelta(days=3), expires_days=1
        )
        revoked = make_token(session, marketer, ("publish",))
        tokens.revoke_token(session, revoked[:12], now=now)
    for secret in (expired, revoked):
        response = api.client.get(LIST, headers=bearer(secret))
        assert_problem(response, 401)
        assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_reference_availability_counts_for_everyone_names_only_for_read_tokens(api: Api) -> None:
    _library(api.app)
    inside = api.get("/api/v1/references", "marketing")
    assert inside.status_code == 200, inside.get_data(as_text=True)
    body = inside.get_json()
    assert body["total"] == 1
    assert body["by_industry"] == [{"industry": "Banking", "count": 1}]
    assert body["by_language"] == [{"language": "en", "count": 1}]
    assert [p["name"] for p in body["people"]] == ["Ann Client"]
    assert "ann@globex.example" not in inside.get_data(as_text=True)
    assert "+33" not in inside.get_data(as_text=True)
    outside = api.get("/api/v1/references", "website").get_json()
    assert outside["total"] == 1 and outside["people"] == []
    assert api.get("/api/v1/references?industry=retail", "marketing").get_json()["total"] == 0
    etag = inside.headers["ETag"]
    cached = api.get("/api/v1/references", "marketing", headers={"If-None-Match": etag})
    assert cached.status_code == 304


# --- check-ins, referrals, survey answers -----------------------------------------------------


def _check_in(api: Api, owner: str, *, status: str = "open") -> tuple[int, int]:
    """An open check-in of an account owned by `owner`; returns (check-in id, contact id)."""
    with api.app.app_context():
        session = db_session()
        account = make_account(session, owner=api.users[owner])
        contact = make_contact(session, account)
        row = CheckIn(
            account_id=account.id,
            owner_id=api.users[owner].id,
            contact_id=contact.id,
            kind="routine",
            status=status,
            due_on=NOW.date(),
            open_for_account_id=account.id if status == "open" else None,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(row)
        session.commit()
        return row.id, contact.id


def _with_points(api: Api, check_in_id: int, points: dict[str, Any]) -> None:
    with api.app.app_context():
        session = db_session()
        row = session.get(CheckIn, check_in_id)
        assert row is not None
        row.talking_points_json = json.dumps(points)
        session.commit()


def test_a_check_in_names_its_next_lines_with_their_reason_in_the_readers_language(
    api: Api,
) -> None:
    check_in_id, _contact = _check_in(api, "am")
    _with_points(api, check_in_id, {"next_lines": [CO_BOUGHT_POINT], "bought": ["Tax"]})
    [line] = api.get(f"/api/v1/check-ins/{check_in_id}", "am").get_json()["next_lines"]
    assert line == {
        "service_line_id": CO_BOUGHT_POINT["service_line_id"],
        "name": "Transfer pricing",
        "reason": CO_BOUGHT_POINT["reason"],
        "reason_text": CO_BOUGHT_EN,
    }
    french = api.get("/api/v1/check-ins?status=open", "am", headers={"Accept-Language": "fr"})
    [item] = french.get_json()["items"]
    assert item["next_lines"][0]["reason_text"] == CO_BOUGHT_FR


def test_a_check_in_stored_before_the_ranking_or_in_a_repair_has_no_next_lines(api: Api) -> None:
    old, _c = _check_in(api, "am")
    _with_points(api, old, {"never_bought": ["Audit", "Tax"], "bought": []})
    unreadable, _c = _check_in(api, "am")
    _with_points(api, unreadable, {"next_lines": [{"name": "no id"}, "junk"]})
    for check_in_id in (old, unreadable):
        assert api.get(f"/api/v1/check-ins/{check_in_id}", "am").get_json()["next_lines"] == []


def test_account_managers_list_their_own_check_ins_and_admins_everyones(api: Api) -> None:
    mine, _c = _check_in(api, "am")
    theirs, _c = _check_in(api, "other_am")
    assert _ids(api.get("/api/v1/check-ins", "am")) == {mine}
    assert _ids(api.get("/api/v1/check-ins", "admin")) == {mine, theirs}
    assert _ids(api.get(f"/api/v1/check-ins?owner_id={api.users['other_am'].id}")) == {theirs}
    # An account manager cannot widen the list to someone else's.
    assert _ids(api.get(f"/api/v1/check-ins?owner_id={api.users['other_am'].id}", "am")) == {mine}
    assert api.get(f"/api/v1/check-ins/{theirs}", "am").status_code == 404
    assert_problem(api.get("/api/v1/check-ins", "marketing"), 403)


def test_completing_a_check_in_logs_the_conversation_for_those_who_may_edit(api: Api) -> None:
    check_in_id, contact_id = _check_in(api, "am")
    path = f"/api/v1/check-ins/{check_in_id}/complete"
    done = {"outcome": "spoke", "channel": "phone", "notes": "All good", "contact_id": contact_id}
    assert_problem(api.post(path, done, "other_am"), 403)
    assert_problem(api.post(path, done, "marketing"), 403)
    assert_problem(api.post(path, done, "reader"), 403)
    stranger = _check_in(api, "other_am")[1]
    refused = assert_problem(api.post(path, {**done, "contact_id": stranger}, "am"), 422)
    assert refused["errors"][0]["loc"] == ["body", "contact_id"]
    assert_problem(api.post(path, {**done, "channel": "social"}, "am"), 422)
    response = api.post(path, done, "am")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "done" and response.get_json()["outcome"] == "spoke"
    with api.app.app_context():
        touchpoint = db_session().get(Touchpoint, response.get_json()["touchpoint_id"])
        assert touchpoint is not None and "All good" in touchpoint.summary
    assert_problem(api.post(path, done, "am"), 422)  # already closed
    assert_problem(api.post("/api/v1/check-ins/999999/complete", done, "am"), 404)


def _referral(api: Api, owner: str) -> int:
    with api.app.app_context():
        session = db_session()
        account = make_account(session, owner=api.users[owner])
        contact = make_contact(session, account)
        row = Referral(
            referrer_contact_id=contact.id,
            referrer_account_id=account.id,
            name="Pat Prospect",
            email="pat@prospect.example",
            company="Initech",
            owner_id=api.users[owner].id,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(row)
        session.commit()
        return row.id


def test_referrals_are_read_by_managers_and_moved_by_their_owner(api: Api) -> None:
    referral_id = _referral(api, "am")
    assert _ids(api.get("/api/v1/referrals", "other_am")) == {referral_id}
    assert_problem(api.get("/api/v1/referrals", "marketing"), 403)
    path = f"/api/v1/referrals/{referral_id}"
    assert_problem(api.patch(path, {"status": "contacted"}, "other_am"), 403)
    assert_problem(api.patch(path, {"status": "lost"}, "am"), 422)  # a lost one says why
    assert_problem(api.patch(path, {"status": "contacted", "owner_id": 1}, "am"), 422)
    moved = api.patch(path, {"status": "contacted"}, "am")
    assert moved.status_code == 200 and moved.get_json()["status"] == "contacted"
    lost = api.patch(path, {"status": "lost", "lost_reason": "Budget cut"}, "admin")
    assert lost.get_json()["lost_reason"] == "Budget cut"
    assert api.get(path, "am").get_json()["status"] == "lost"


def test_survey_answers_list_only_answered_surveys(api: Api) -> None:
    with api.app.app_context():
        session = db_session()
        account = make_account(session)
        contact = make_contact(session, account)
        rows = [
            Survey(
                key=f"nps-{n}", account_id=account.id, contact_id=contact.id, kind="nps",
                trigger="on_demand", status=status, score=score, comment="Great" if score else "",
                answered_at=NOW if score is not None else None, created_at=NOW, updated_at=NOW,
            )
            for n, (status, score) in enumerate([("answered", 9), ("sent", None)])
        ]  # fmt: skip
        session.add_all(rows)
        session.commit()
        answered = rows[0].id
    response = api.get(f"/api/v1/survey-answers?account_id={account.id}", "marketing")
    assert _ids(response) == {answered}
    assert response.get_json()["items"][0]["comment"] == "Great"
    assert _ids(api.get("/api/v1/survey-answers?since=2100-01-01T00:00:00Z")) == set()


def test_the_cli_issues_a_publish_token_alone(api: Api) -> None:
    runner = api.app.test_cli_runner()
    args = ["tokens", "create", "--user", "marketing@firm.example", "--scope", "publish"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert api.client.get(LIST, headers=bearer(secret)).status_code == 200
    mixed = runner.invoke(args=[*args, "--scope", "read"])
    assert mixed.exit_code != 0 and "publish" in mixed.output


def test_new_endpoints_are_in_the_openapi_document_and_the_docs_page(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/testimonials",
        "/api/v1/testimonials/{testimonial_id}",
        "/api/v1/references",
        "/api/v1/check-ins",
        "/api/v1/check-ins/{check_in_id}/complete",
        "/api/v1/referrals/{referral_id}",
        "/api/v1/survey-answers",
    ):
        assert path in paths, path
    assert paths["/api/v1/testimonials"]["get"]["security"] == [{"bearerAuth": ["publish"]}]
    assert "304" in paths["/api/v1/testimonials"]["get"]["responses"]
    docs = api.client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/testimonials" in docs and "/api/v1/check-ins/{check_in_id}/complete" in docs
