"""Repair conversations: what an account manager brings to the call after a bad experience.

The talking points are about the problem (what the client said, about which work, who said it)
and never about what else to sell: a cross-sell in an apology call confirms the client's worst
opinion of the firm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from advocacy.domain.cadence import TalkingPoints, shorten


@dataclass(frozen=True)
class Feedback:
    """One unhappy answer: when, who gave it, the score as read ("NPS 3/10"), their words."""

    at: datetime
    who: str
    score: str
    comment: str
    engagement: str = ""


FEEDBACK_LIMIT: Final = 3
COMMENT_LIMIT: Final = 500


def repair_points(*, problem: str, feedback: Iterable[Feedback]) -> TalkingPoints:
    """Talking points of a repair conversation: the problem only, never what else to sell."""
    newest = sorted(feedback, key=lambda item: item.at, reverse=True)[:FEEDBACK_LIMIT]
    concerns = sorted({item.engagement for item in newest if item.engagement})
    return TalkingPoints(
        problem=[problem.strip()] if problem.strip() else [],
        feedback=[
            (f.at.date().isoformat(), f.who, f.score, shorten(f.comment, COMMENT_LIMIT))
            for f in newest
        ],
        concerns=concerns,
    )
