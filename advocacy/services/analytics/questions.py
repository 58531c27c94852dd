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
from advocacy.services.analytics import (
    advocacy_pipeline,
    check_in_discipline,
    client_voice,
    engagement_between,
    former_clients,
    nurture,
    pre_purchase,
    typecasting,
)


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
    Question(client_voice.SLUG, client_voice.title, client_voice.answer),
    Question(typecasting.SLUG, typecasting.title, typecasting.answer, marketing_reads=True),
    Question(
        advocacy_pipeline.SLUG,
        advocacy_pipeline.title,
        advocacy_pipeline.answer,
        marketing_reads=True,
    ),
    Question(check_in_discipline.SLUG, check_in_discipline.title, check_in_discipline.answer),
    Question(nurture.SLUG, nurture.title, nurture.answer, marketing_reads=True),
)


def find(slug: str) -> Question | None:
    """The question at `/analytics/<slug>`, None when there is none."""
    return next((q for q in QUESTIONS if q.slug == slug), None)


def readable_by(role: Role) -> list[Question]:
    """The questions this role may read, in the registry's order."""
    return [q for q in QUESTIONS if access.may_read_question(role, for_marketing=q.marketing_reads)]
