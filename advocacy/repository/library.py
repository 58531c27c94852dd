"""Queries behind marketing's library: the search over quotes and tags, the lists of case-study
candidates, reference-ready contacts and logos, and collections. Add/flush, never commit.

The search narrows 50,000 quotes down in the database: a quote staff may read is approved or
published with at least one live use, and a permission filter is the uses it must (not) have live
(domain.library.USE_CONDITIONS). What is shown is then decided by the one consent policy on the
page's rows only. Words are matched with LIKE (ILIKE on PostgreSQL) on the quote, its display
fields and tags, and the names of its service lines; the page and the count come from one pass over
the narrowed query, newest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, exists, func, or_
from sqlmodel import Session, col, select

from advocacy.domain.disclosure import APPROVED_STATUSES
from advocacy.domain.library import (
    PAGE_SIZE,
    USE_CONDITIONS,
    LibraryQuery,
    search_terms,
)
from advocacy.domain.testimonials import Use
from advocacy.models import (
    Account,
    Collection,
    CollectionItem,
    Contact,
    Person,
    ReferenceCall,
    ServiceLine,
    Testimonial,
    TestimonialPermission,
    TestimonialServiceLine,
)
from advocacy.repository import contains_text, present_ids

# Calls that use up a reference's goodwill (the cap counts these; see domain.references).
COUNTED_CALLS = ("accepted", "held")
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class LibraryRow:
    """One quote found, with what the page shows beside it."""

    testimonial: Testimonial
    account_name: str
    account_stage: str
    contact_name: str
    service_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class LibraryPage:
    rows: list[LibraryRow]
    total: int
    more: bool = False  # more than `total` matched (the count stops at COUNT_LIMIT)


def _live_use(uses: Iterable[Use] | None, today: date) -> ColumnElement[bool]:
    """A live permission of one of `uses` (any use: None) exists for the quote; withdrawn or past
    its last day does not count."""
    which = [] if uses is None else [col(TestimonialPermission.use).in_([u.value for u in uses])]
    return exists().where(
        col(TestimonialPermission.testimonial_id) == Testimonial.id,
        *which,
        col(TestimonialPermission.withdrawn_at).is_(None),
        or_(
            col(TestimonialPermission.expires_on).is_(None),
            col(TestimonialPermission.expires_on) >= today,
        ),
    )


def _approved() -> ColumnElement[bool]:
    # Written as `status || ''` on purpose: most quotes are approved, and with a plain column
    # SQLite walks the status index and then sorts every match by id; this way it walks the
    # table newest first and stops as soon as it has found enough.
    return Testimonial.status.concat("").in_(sorted(APPROVED_STATUSES))  # type: ignore[attr-defined]


def readable_by_staff(today: date) -> ColumnElement[bool]:
    """The policy's STAFF rule in SQL: approved or published, and some use still live."""
    return and_(_approved(), _live_use(None, today))


def _uses_condition(query: LibraryQuery, today: date) -> list[ColumnElement[bool]]:
    if query.permission is None:
        return []
    condition = USE_CONDITIONS[query.permission]
    found = [_live_use([use], today) for use in sorted(condition.required)]
    if condition.forbidden:
        found.append(~_live_use(condition.forbidden, today))
    return found


# The quote, the company, the role and the tags (the person's name is not a search term: the
# library looks for what was said, and every column costs a LIKE per quote).
TEXT_COLUMNS = (
    Testimonial.body,
    Testimonial.display_company,
    Testimonial.display_title,
    Testimonial.industry,
    Testimonial.outcomes,
)


def _words(session: Session, text: str) -> list[ColumnElement[bool]]:
    """Each word must appear in the quote, a display field, a tag or a service line's name."""
    found = []
    for term in search_terms(text):
        matches = [contains_text(session, column, term) for column in TEXT_COLUMNS]
        # The catalogue is small: look the lines up once, then test membership per quote.
        line_ids = list(
            session.exec(
                select(ServiceLine.id).where(contains_text(session, ServiceLine.name, term))
            )
        )
        if line_ids:
            matches.append(
                col(Testimonial.id).in_(
                    select(TestimonialServiceLine.testimonial_id).where(
                        col(TestimonialServiceLine.service_line_id).in_(line_ids)
                    )
                )
            )
        found.append(or_(*matches))
    return found


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _conditions(session: Session, query: LibraryQuery, today: date) -> list[ColumnElement[bool]]:
    # SQLite checks a row's terms in the order given: the cheap ones first.
    where: list[ColumnElement[bool]] = [_approved()]
    if query.industry:
        where.append(col(Testimonial.industry) == query.industry)
    if query.min_rating is not None:
        where.append(col(Testimonial.rating) >= query.min_rating)
    if query.approved_since is not None:
        where.append(col(Testimonial.approved_at) >= _start_of(query.approved_since))
    accounts = [
        col(column) == wanted
        for column, wanted in (
            (Account.size_band, query.size_band),
            (Account.country, query.country),
            (Account.stage, query.stage),
        )
        if wanted
    ]
    # Correlated look-ups by primary key rather than IN lists: the scan then keeps walking the
    # quotes newest first and stops once it has enough, instead of sorting every match.
    if accounts:
        where.append(exists().where(col(Account.id) == Testimonial.account_id, *accounts))
    if query.language:
        where.append(
            exists().where(
                col(Contact.id) == Testimonial.contact_id, col(Contact.language) == query.language
            )
        )
    if query.service_line_id is not None:
        where.append(
            exists().where(
                col(TestimonialServiceLine.testimonial_id) == Testimonial.id,
                col(TestimonialServiceLine.service_line_id) == query.service_line_id,
            )
        )
    # The words before the permission look-ups: a LIKE costs less than an index probe and
    # leaves few quotes for the probes.
    where += _words(session, query.text)
    where.append(_live_use(None, today))
    where += _uses_condition(query, today)
    return where


def search(session: Session, query: LibraryQuery, *, today: date) -> LibraryPage:
    """One page of quotes staff may read that match `query`, newest first, and how many
    there are (counted up to COUNT_LIMIT: beyond that, people narrow the search, not page on)."""
    ordered = (
        select(col(Testimonial.id))
        .where(*_conditions(session, query, today))
        .order_by(col(Testimonial.id).desc())
        .limit(COUNT_LIMIT + 1)
    )
    # One pass gives both the count and the page: the ids are small, the quotes are not.
    ids = present_ids(session.exec(ordered))
    page_ids = ids[query.offset : query.offset + PAGE_SIZE]
    return LibraryPage(
        rows_of(session, page_ids), min(len(ids), COUNT_LIMIT), len(ids) > COUNT_LIMIT
    )


def rows_of(session: Session, testimonial_ids: Sequence[int]) -> list[LibraryRow]:
    """The quotes with these ids, in this order, with their account, person and service lines."""
    if not testimonial_ids:
        return []
    query = (
        select(Testimonial, Account.name, Account.stage, Person.full_name)
        .join(Account, col(Account.id) == Testimonial.account_id)
        .join(Contact, col(Contact.id) == Testimonial.contact_id)
        .join(Person, col(Person.id) == Contact.person_id)
        .where(col(Testimonial.id).in_(testimonial_ids))
    )
    found = {t.id: (t, account, stage, person) for t, account, stage, person in session.exec(query)}
    lines = service_line_names(session, list(testimonial_ids))
    return [
        LibraryRow(t, account, stage, person, tuple(lines.get(t.id or 0, ())))
        for t, account, stage, person in (found[i] for i in testimonial_ids if i in found)
    ]


def service_line_names(session: Session, testimonial_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per quote, the names of the service lines it speaks about, in name order."""
    names: dict[int, list[str]] = defaultdict(list)
    if testimonial_ids:
        for testimonial_id, name in session.exec(
            select(TestimonialServiceLine.testimonial_id, ServiceLine.name)
            .join(ServiceLine, col(ServiceLine.id) == TestimonialServiceLine.service_line_id)
            .where(col(TestimonialServiceLine.testimonial_id).in_(testimonial_ids))
            .order_by(ServiceLine.name)
        ):
            names[testimonial_id].append(name)
    return names


def quote_industries(session: Session) -> list[str]:
    """The industries quotes are tagged with, for the filter's choices."""
    query = (
        select(Testimonial.industry)
        .where(Testimonial.industry != "")
        .distinct()
        .order_by(Testimonial.industry)
    )
    return list(session.exec(query))


def account_countries(session: Session) -> list[str]:
    query = (
        select(Account.country).where(Account.country != "").distinct().order_by(Account.country)
    )
    return list(session.exec(query))


def readable_quotes_with_use(
    session: Session, use: Use, *, today: date, with_logo: bool = False, limit: int = 200
) -> list[LibraryRow]:
    """Quotes staff may read with a live `use` (the policy then decides each one), newest first;
    with `with_logo`, only those with a logo on file."""
    query = (
        select(col(Testimonial.id))
        .where(readable_by_staff(today), _live_use([use], today))
        .order_by(col(Testimonial.id).desc())
        .limit(limit)
    )
    if with_logo:
        query = query.where(col(Testimonial.logo_path) != "")
    return rows_of(session, present_ids(session.exec(query)))


def counted_calls_since(
    session: Session, contact_ids: Sequence[int], since: datetime
) -> dict[int, list[datetime]]:
    """Per contact, when each accepted or held reference call since `since` was asked."""
    found: dict[int, list[datetime]] = defaultdict(list)
    if contact_ids:
        for contact_id, asked_at in session.exec(
            select(ReferenceCall.contact_id, ReferenceCall.asked_at).where(
                col(ReferenceCall.contact_id).in_(contact_ids),
                col(ReferenceCall.status).in_(COUNTED_CALLS),
                col(ReferenceCall.asked_at) >= since,
            )
        ):
            found[contact_id].append(asked_at)
    return found


def contacts_by_ids(session: Session, contact_ids: Sequence[int]) -> dict[int, Contact]:
    if not contact_ids:
        return {}
    query = select(Contact).where(col(Contact.id).in_(contact_ids))
    return {contact.id or 0: contact for contact in session.exec(query)}


# --- Collections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionRow:
    collection: Collection
    items: int


def list_collections(session: Session, *, limit: int = 200) -> list[CollectionRow]:
    """Collections, the latest changed first, with how many quotes each holds."""
    counts = (
        select(CollectionItem.collection_id, func.count().label("quotes"))
        .group_by(col(CollectionItem.collection_id))
        .subquery()
    )
    query = (
        select(Collection, func.coalesce(counts.c.quotes, 0))
        .outerjoin(counts, counts.c.collection_id == Collection.id)
        .order_by(col(Collection.updated_at).desc(), col(Collection.id).desc())
        .limit(limit)
    )
    return [CollectionRow(collection, items) for collection, items in session.exec(query)]


def items_of(session: Session, collection_id: int) -> list[tuple[CollectionItem, Testimonial]]:
    """A collection's items in their order, each with its quote."""
    query = (
        select(CollectionItem, Testimonial)
        .join(Testimonial, col(Testimonial.id) == CollectionItem.testimonial_id)
        .where(CollectionItem.collection_id == collection_id)
        .order_by(col(CollectionItem.position), col(CollectionItem.id))
    )
    return list(session.exec(query))


def item_in(session: Session, collection_id: int, testimonial_id: int) -> CollectionItem | None:
    query = select(CollectionItem).where(
        CollectionItem.collection_id == collection_id,
        CollectionItem.testimonial_id == testimonial_id,
    )
    return session.exec(query).first()


def next_position(session: Session, collection_id: int) -> int:
    query = select(func.max(CollectionItem.position)).where(
        CollectionItem.collection_id == collection_id
    )
    return (session.exec(query).one() or 0) + 1


def item_count(session: Session, collection_id: int) -> int:
    query = select(func.count()).where(CollectionItem.collection_id == collection_id)
    return session.exec(query).one()
