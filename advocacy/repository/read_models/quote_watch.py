"""Read models for marketing's home page: quotes newly approved or published, quotes whose consent
runs out soon and consents withdrawn lately. Three statements whatever the library's size.
Queries only: nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from advocacy.domain.testimonials import Status
from advocacy.models import Account, Testimonial, TestimonialPermission

# Quotes marketing may be using: what a withdrawal or an expiry takes down.
IN_USE: Final = (Status.APPROVED.value, Status.PUBLISHED.value)
# Enough rows for a home page; the testimonials list holds the rest.
SHOWN: Final = 10


@dataclass(frozen=True)
class QuoteRow:
    testimonial_id: int
    display_name: str
    account_name: str
    status: str
    body: str
    when: datetime | date | None  # approved or published, the expiry, or the withdrawal
    uses: tuple[str, ...] = ()


def new_quotes(session: Session, *, since: datetime) -> list[QuoteRow]:
    """Quotes approved or published since `since`, newest first."""
    newest = func.coalesce(Testimonial.published_at, Testimonial.approved_at)
    query = (
        select(Testimonial, Account.name)
        .join(Account, col(Account.id) == Testimonial.account_id)
        .where(col(Testimonial.status).in_(IN_USE), newest >= since)
        .order_by(newest.desc(), col(Testimonial.id).desc())
        .limit(SHOWN)
    )
    return [
        QuoteRow(
            t.id or 0,
            t.display_name,
            name,
            t.status,
            t.body,
            t.published_at or t.approved_at,
        )
        for t, name in session.exec(query)
    ]


def expiring_quotes(session: Session, *, today: date, until: date) -> list[QuoteRow]:
    """Quotes in use with a permission whose consent ends between `today` and `until`, the
    soonest first, with the uses that end."""
    query = (
        select(
            Testimonial,
            Account.name,
            TestimonialPermission.use,
            col(TestimonialPermission.expires_on),
        )
        .join(Account, col(Account.id) == Testimonial.account_id)
        .join(TestimonialPermission, col(TestimonialPermission.testimonial_id) == Testimonial.id)
        .where(
            col(Testimonial.status).in_(IN_USE),
            col(TestimonialPermission.withdrawn_at).is_(None),
            col(TestimonialPermission.expires_on) >= today,
            col(TestimonialPermission.expires_on) <= until,
        )
        .order_by(col(TestimonialPermission.expires_on), col(Testimonial.id))
    )
    return _grouped(session.exec(query).all())


def withdrawn_consents(session: Session, *, since: datetime) -> list[QuoteRow]:
    """Quotes whose client withdrew a use (or the whole quote) since `since`, latest first."""
    query = (
        select(
            Testimonial, Account.name, TestimonialPermission.use, TestimonialPermission.withdrawn_at
        )
        .join(Account, col(Account.id) == Testimonial.account_id)
        .join(TestimonialPermission, col(TestimonialPermission.testimonial_id) == Testimonial.id)
        .where(
            or_(
                col(TestimonialPermission.withdrawn_at) >= since,
                col(Testimonial.withdrawn_at) >= since,
            )
        )
        .order_by(
            func.coalesce(TestimonialPermission.withdrawn_at, Testimonial.withdrawn_at).desc(),
            col(Testimonial.id),
        )
    )
    rows: list[tuple[Testimonial, str, str, datetime | date | None]] = []
    for testimonial, name, use, withdrawn_at in session.exec(query).all():
        when = withdrawn_at or testimonial.withdrawn_at
        # A use withdrawn long ago stays withdrawn; only what changed lately is news.
        if when is not None and when >= since:
            rows.append((testimonial, name, use, when))
    return _grouped(rows)


Found = Sequence[tuple[Testimonial, str, str, datetime | date | None]]


def _grouped(rows: Found) -> list[QuoteRow]:
    """One row per quote, in the order first seen, with its uses; at most SHOWN quotes."""
    uses: dict[int, list[str]] = defaultdict(list)
    first: dict[int, QuoteRow] = {}
    for testimonial, name, use, when in rows:
        key = testimonial.id or 0
        uses[key].append(use)
        first.setdefault(
            key,
            QuoteRow(
                key, testimonial.display_name, name, testimonial.status, testimonial.body, when
            ),
        )
    return [replace(row, uses=tuple(uses[key])) for key, row in list(first.items())[:SHOWN]]
