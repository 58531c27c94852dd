"""/api/v1/contacts/{id}/score: a contact's advocacy score, tier, next best ask and factors."""

from __future__ import annotations

from flask import Response

from advocacy.api.routes import api_route, found, one
from advocacy.api.score_schemas import ContactScorePublic, ScoreFactorItem
from advocacy.db import db_session
from advocacy.domain.text import N_
from advocacy.http import score_words
from advocacy.repository import journey, stored_scores


@api_route(
    "GET", "/contacts/<id:contact_id>/score", summary=N_("Read a contact's advocacy score"),
    tag="contacts", response=ContactScorePublic,
)  # fmt: skip
def get_contact_score(contact_id: int) -> tuple[Response, int]:
    """The contact's current score with its explanation; `scored` is false for a contact who
    objected to profiling or is not computed yet (docs/scoring.md)."""
    session = db_session()
    contact = found(lambda: journey.get_contact(session, contact_id))
    stored = stored_scores.current_score(session, contact_id)
    if contact.profiling_objected_at is not None or stored is None:
        why = "objected_to_profiling" if contact.profiling_objected_at else "not_computed_yet"
        return one(ContactScorePublic(contact_id=contact_id, scored=False, not_scored_because=why))
    explained = score_words.explain(stored.reason, stored.factors_json)
    return one(
        ContactScorePublic(
            contact_id=contact_id,
            scored=True,
            score=stored.score,
            tier=stored.tier,
            next_ask=stored.ask,
            reason_code=stored.reason,
            reason=explained.reason,
            factors=[
                ScoreFactorItem(
                    factor=line.factor,
                    points=line.points,
                    detail=line.detail,
                    description=line.text,
                )
                for line in explained.lines
            ],
            computed_at=stored.computed_at,
        )
    )
