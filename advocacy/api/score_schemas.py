"""The API's shapes of the advocacy score (docs/scoring.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from advocacy.domain.score_asks import NextAsk, Tier, Why
from advocacy.domain.scoring import Factor


class ScoreFactorItem(BaseModel):
    """One factor's contribution to the score, with its numbers and in words."""

    factor: Factor
    points: int = Field(description="Points added (or taken away, when negative).")
    detail: dict[str, int | str] = Field(
        description="The numbers behind the contribution (e.g. kind, score, days for a survey)."
    )
    description: str = Field(description="The contribution in words, in the request's language.")


class ContactScorePublic(BaseModel):
    """A contact's advocacy score, tier and next best ask with its reason, and the factors
    that explain it, largest first. A contact who objected to profiling is never scored."""

    contact_id: int
    scored: bool
    not_scored_because: Literal["objected_to_profiling", "not_computed_yet"] | None = None
    score: int | None = Field(None, ge=0, le=100)
    tier: Tier | None = None
    next_ask: NextAsk | None = None
    reason_code: Why | None = None
    reason: str = Field("", description="Why this ask, in the request's language.")
    factors: list[ScoreFactorItem] = []
    computed_at: AwareDatetime | None = None
