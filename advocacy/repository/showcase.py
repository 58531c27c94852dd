"""Query helpers behind the showcase (the API's library endpoints and the wall): testimonials that
may be shown somewhere, with the facts their filters need. Add/flush, never commit.

These queries only narrow what is read; what may be shown is decided afterwards by the consent
policy (domain/disclosure.py), fed from the stored permissions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.disclosure import APPROVED_STATUSES
from advocacy.models import (
    Account,
    Collection,
    CollectionItem,
    Contact,
    ServiceLine,
    Testimonial,
    TestimonialServiceLine,
)
from advocacy.repository import contains_text


@dataclass(frozen=True)
class TestimonialSearch:
    """What a reader asked for; empty fields do not narrow."""

    service_line_id: int | None = None
    industry: str = ""
    size_band: str = ""
    country: str = ""
    language: str = ""
    min_rating: int | None = None
    since: datetime | None = None  # changed (or published) from then on
    outcome: str = ""  # one outcome tag, matched whole and case-insensitively
    text: str = ""  # part of the quote
    collection_id: int | None = None  # only the quotes of this collection


@dataclass(frozen=True)
class TestimonialFacts:
    """A testimonial with what its filters and its attribution need."""

    testimonial: Testimonial
    size_band: str
    country: str
    language: str


def _ids_with_line(service_line_id: int):  # type: ignore[no-untyped-def]
    return select(TestimonialServiceLine.testimonial_id).where(
        TestimonialServiceLine.service_line_id == service_line_id
    )


def testimonials_matching(
    session: Session,
    search: TestimonialSearch,
    *,
    after_id: int | None,
    limit: int,
    statuses: frozenset[str] = APPROVED_STATUSES,
) -> list[TestimonialFacts]:
    """Up to `limit` testimonials in `statuses` (approved or published) after `after_id`, by id,
    narrowed by `search` (the outcome tag is checked whole by the caller: SQL only finds the
    substring)."""
    query = (
        select(Testimonial, Account.size_band, Account.country, Contact.language)
        .join(Account, col(Account.id) == Testimonial.account_id)
        .join(Contact, col(Contact.id) == Testimonial.contact_id)
        # Drafts are never shown to anyone: not reading them is only a shortcut, the policy
        # still decides for the rest.
        .where(col(Testimonial.status).in_(sorted(statuses & APPROVED_STATUSES)))
    )
    if after_id is not None:
        query = query.where(col(Testimonial.id) > after_id)
    if search.service_line_id is not None:
        query = query.where(col(Testimonial.id).in_(_ids_with_line(search.service_line_id)))
    if search.collection_id is not None:
        query = query.where(
            col(Testimonial.id).in_(
                select(CollectionItem.testimonial_id).where(
                    CollectionItem.collection_id == search.collection_id
                )
            )
        )
    if search.industry:
        query = query.where(func.lower(Testimonial.industry) == search.industry.strip().lower())
    if search.size_band:
        query = query.where(Account.size_band == search.size_band)
    if search.country:
        query = query.where(func.upper(Account.country) == search.country.strip().upper())
    if search.language:
        query = query.where(Contact.language == search.language.strip().lower())
    if search.min_rating is not None:
        query = query.where(col(Testimonial.rating) >= search.min_rating)
    if search.since is not None:
        query = query.where(col(Testimonial.updated_at) >= search.since)
    if search.outcome:
        query = query.where(contains_text(session, Testimonial.outcomes, search.outcome.strip()))
    if search.text:
        query = query.where(contains_text(session, Testimonial.body, search.text.strip()))
    query = query.order_by(col(Testimonial.id)).limit(limit)
    return [
        TestimonialFacts(testimonial, size_band, country, language)
        for testimonial, size_band, country, language in session.exec(query)
    ]


def testimonial_facts(session: Session, testimonial_id: int) -> TestimonialFacts | None:
    query = (
        select(Testimonial, Account.size_band, Account.country, Contact.language)
        .join(Account, col(Account.id) == Testimonial.account_id)
        .join(Contact, col(Contact.id) == Testimonial.contact_id)
        .where(Testimonial.id == testimonial_id)
    )
    found = session.exec(query).first()
    return TestimonialFacts(*found) if found else None


def service_lines_of(session: Session, testimonial_ids: Sequence[int]) -> dict[int, list[int]]:
    """Service line ids per testimonial id, in id order."""
    lines: dict[int, list[int]] = defaultdict(list)
    if testimonial_ids:
        for testimonial_id, line_id in session.exec(
            select(TestimonialServiceLine.testimonial_id, TestimonialServiceLine.service_line_id)
            .where(col(TestimonialServiceLine.testimonial_id).in_(set(testimonial_ids)))
            .order_by(col(TestimonialServiceLine.service_line_id))
        ):
            lines[testimonial_id].append(line_id)
    return dict(lines)


def testimonials_by_id(session: Session, ids: Sequence[int]) -> dict[int, Testimonial]:
    if not ids:
        return {}
    query = select(Testimonial).where(col(Testimonial.id).in_(set(ids)))
    return {row.id: row for row in session.exec(query) if row.id is not None}


def collection_positions(session: Session, collection_id: int) -> dict[int, int]:
    """Testimonial id -> its place in the collection (the order marketing chose)."""
    return {
        testimonial_id: position
        for testimonial_id, position in session.exec(
            select(CollectionItem.testimonial_id, CollectionItem.position).where(
                CollectionItem.collection_id == collection_id
            )
        )
    }


def collections_to_choose(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every collection, by name, for the wall builder."""
    return [
        (collection_id, name)
        for collection_id, name in session.exec(
            select(Collection.id, Collection.name).order_by(col(Collection.name))
        )
        if collection_id is not None
    ]


def service_line_names(session: Session) -> dict[int, str]:
    query = select(ServiceLine.id, ServiceLine.name).order_by(ServiceLine.name)
    return {line_id: name for line_id, name in session.exec(query) if line_id is not None}
