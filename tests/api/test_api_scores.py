"""Reading a contact's advocacy score through the API: score, tier, next best ask and factors in
words, `scored: false` for a contact who objected to profiling, and the resource documented."""

from __future__ import annotations

from datetime import timedelta

from advocacy.db import db_session
from advocacy.models import Survey
from advocacy.services.scoring import objection, recompute
from tests.api.api_helpers import Api
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact, make_user


def _scored_promoter(api: Api) -> int:
    with api.app.app_context():
        session = db_session()
        account = make_account(session, name="Harbour")
        anna = make_mail_contact(session, account, full_name="Anna", seniority="c_level")
        at = NOW - timedelta(days=20)
        session.add(
            Survey(
                key="nps:anna",
                account_id=account.id,
                contact_id=anna.id,
                kind="nps",
                trigger="on_demand",
                status="answered",
                score=10,
                created_at=at,
                updated_at=at,
                answered_at=at,
            )
        )
        session.commit()
        recompute.recompute_all(session, now=NOW, rules=recompute.ScoringRules())
        return int(anna.id)


def test_a_contacts_score_comes_with_tier_ask_reason_and_factors_in_words(api: Api) -> None:
    anna = _scored_promoter(api)
    response = api.get(f"/api/v1/contacts/{anna}/score", "marketing")
    assert response.status_code == 200
    body = response.get_json()
    assert body["scored"] is True and 0 <= body["score"] <= 100
    assert body["tier"] in {"champion", "advocate", "passive"} and body["next_ask"]
    assert body["reason_code"] and body["reason"]
    promoter = next(f for f in body["factors"] if f["factor"] == "promoter")
    assert promoter["detail"] == {"kind": "nps", "score": 10, "days": 20}
    assert promoter["description"].startswith(f"+{promoter['points']} promoter: NPS 10")
    points = [abs(f["points"]) for f in body["factors"]]
    assert points == sorted(points, reverse=True)


def test_a_contact_who_objected_is_not_scored_and_says_why(api: Api) -> None:
    anna = _scored_promoter(api)
    with api.app.app_context():
        session = db_session()
        objection.object_by_staff(session, anna, by=make_user(session, role="admin"), now=NOW)
    body = api.get(f"/api/v1/contacts/{anna}/score").get_json()
    assert body["scored"] is False and body["not_scored_because"] == "objected_to_profiling"
    assert body["score"] is None and body["factors"] == []


def test_the_score_of_an_unknown_contact_is_a_404_problem(api: Api) -> None:
    response = api.get("/api/v1/contacts/999999/score")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_the_score_resource_is_in_the_openapi_document_with_read_scope(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/contacts/{contact_id}/score"]["get"]
    assert operation["security"] == [{"bearerAuth": ["read"]}]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ContactScorePublic")
    factor = document["components"]["schemas"]["ScoreFactorItem"]
    assert set(factor["properties"]) == {"factor", "points", "detail", "description"}
