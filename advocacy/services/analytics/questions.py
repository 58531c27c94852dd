"""The registry of analytics questions: what `/analytics` lists, in this order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from advocacy.domain import access
from advocacy.domain.analytics.figures import AnalyticsFilters, QuestionAnswer
from advocacy.domain.identity import Role
from advocacy.services.analytics import engagement_between, former_clients, pre_purchase


class Answers(Protocol):
    def __call__(
        self, session: Session, filters: AnalyticsFilters, *, now: datetime
    ) -> QuestionAnswer: ...


@dataclass(frozen=True)
class Question:
    slug: str  # URL part: /analytics/<slug>
    title: Callable[[], str]  # translated when called (in an app context)
    answer: Answers
    marketing_reads: bool = False  # marketing may read it too (see domain/access.py)


QUESTIONS: tuple[Question, ...] = (
    Question(pre_purchase.SLUG, pre_purchase.title, pre_purchase.answer),
    Question(engagement_between.SLUG, engagement_between.title, engagement_between.answer),
    Question(
        former_clients.SLUG, former_clients.title, former_clients.answer, marketing_reads=True
    ),
    # The questions on the clients' voice, typecasting, the advocacy pipeline, check-in
    # discipline and nurture are registered here, after these three.
)


def find(slug: str) -> Question | None:
    """The question at `/analytics/<slug>`, None when there is none."""
    return next((q for q in QUESTIONS if q.slug == slug), None)


def readable_by(role: Role) -> list[Question]:
    """The questions this role may read, in the registry's order."""
    return [q for q in QUESTIONS if access.may_read_question(role, for_marketing=q.marketing_reads)]
