"""Marketing's library: find quotes to use, see what of each may go outside the firm, and list
case-study candidates, reference-ready contacts and the logos allowed for use.

Reading only. What each quote shows is decided by the one consent policy (domain.disclosure):
STAFF for what the page shows, EXPORT for what may leave the firm (and so for the attribution
that is copied); the repository only narrows the search down in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from advocacy.domain.advocacy_asks import AskKind, AskVerdict
from advocacy.domain.disclosure import Audience, Author, Disclosure, attribution
from advocacy.domain.library import (
    LibraryQuery,
    Outside,
    matches,
    outside,
    page_count,
)
from advocacy.domain.people import ContactStatus
from advocacy.domain.references import Cap
from advocacy.domain.testimonials import Use, plain_quote
from advocacy.models import Testimonial
from advocacy.repository import library
from advocacy.repository.disclosure import disclosures
from advocacy.repository.library import LibraryRow
from advocacy.services.voice.asks import verdicts_for


def author_of(testimonial: Testimonial) -> Author:
    return Author(
        name=testimonial.display_name,
        title=testimonial.display_title,
        company=testimonial.display_company,
        industry=testimonial.industry,
    )


@dataclass(frozen=True)
class Found:
    """One quote as the library shows it: inside the firm, and what may go outside."""

    row: LibraryRow
    staff: Disclosure
    export: Disclosure

    @property
    def testimonial(self) -> Testimonial:
        return self.row.testimonial

    @property
    def outside(self) -> Outside:
        return outside(self.export)

    @property
    def staff_attribution(self) -> str:
        return attribution(self.staff, author_of(self.testimonial))

    @property
    def export_attribution(self) -> str:
        """The line that goes under the quote outside the firm ("" when anonymised without a
        role or sector: the page adds its translated "a client")."""
        return attribution(self.export, author_of(self.testimonial))

    @property
    def quote(self) -> str:
        return plain_quote(self.testimonial.body)


@dataclass(frozen=True)
class SearchResult:
    query: LibraryQuery
    found: list[Found]
    total: int
    more: bool = False  # more than `total` matched: the count stops there

    @property
    def pages(self) -> int:
        return page_count(self.total)


def judged(session: Session, rows: Sequence[LibraryRow], *, today: date) -> list[Found]:
    """The rows with what the policy lets staff read and send out today; unreadable ones dropped."""
    quotes = [row.testimonial for row in rows]
    staff = disclosures(session, quotes, Audience.STAFF, today=today)
    export = disclosures(session, quotes, Audience.EXPORT, today=today)
    found = []
    for row in rows:
        key = row.testimonial.id or 0
        if staff.get(key, Disclosure()).shown:
            found.append(Found(row, staff[key], export.get(key, Disclosure())))
    return found


def search_library(session: Session, query: LibraryQuery, *, today: date) -> SearchResult:
    """One page of quotes staff may read that match the words and filters, newest first."""
    page = library.search(session, query, today=today)
    found = judged(session, page.rows, today=today)
    if query.permission is not None:
        # The query asked the database for these uses; the policy has the last word.
        found = [f for f in found if matches(query.permission, f.staff, f.export)]
    return SearchResult(query, found, page.total, page.more)


def case_study_candidates(session: Session, *, today: date) -> list[Found]:
    """Quotes whose client allowed us to ask about a case study, newest first."""
    rows = library.readable_quotes_with_use(session, Use.CASE_STUDY, today=today)
    return [f for f in judged(session, rows, today=today) if f.staff.case_study]


def logos_allowed(session: Session, *, today: date) -> list[Found]:
    """Quotes whose company logo may be shown outside the firm, with a logo on file."""
    rows = library.readable_quotes_with_use(session, Use.LOGO, today=today, with_logo=True)
    return [f for f in judged(session, rows, today=today) if f.export.logo]


@dataclass(frozen=True)
class ReferenceReady:
    """A contact who allowed reference calls: their latest such quote, and their load."""

    found: Found
    contact_id: int
    calls: int
    cap: Cap
    active: bool
    verdict: AskVerdict  # the one advocacy rule, for a reference call

    @property
    def may_ask(self) -> bool:
        return self.verdict.allowed

    @property
    def at_cap(self) -> bool:
        return self.calls >= self.cap.max_calls

    @property
    def available(self) -> bool:
        return self.active and self.may_ask and not self.at_cap


def reference_ready(session: Session, cap: Cap, *, now: datetime) -> list[ReferenceReady]:
    """Contacts with a live reference-call permission, with their counted calls against the cap."""
    today = now.date()
    rows = library.readable_quotes_with_use(session, Use.REFERENCE_CALLS, today=today)
    latest: dict[int, Found] = {}
    for found in judged(session, rows, today=today):
        if found.staff.reference_contact:
            latest.setdefault(found.testimonial.contact_id, found)
    contact_ids = list(latest)
    calls = library.counted_calls_since(session, contact_ids, cap.since(now))
    contacts = library.contacts_by_ids(session, contact_ids)
    verdicts = verdicts_for(session, contact_ids, AskKind.REFERENCE_CALL, now=now)
    ready = []
    for contact_id, found in latest.items():
        contact = contacts[contact_id]
        ready.append(
            ReferenceReady(
                found=found,
                contact_id=contact_id,
                calls=sum(1 for at in calls.get(contact_id, []) if at <= now),
                cap=cap,
                active=contact.status == ContactStatus.ACTIVE,
                verdict=verdicts[contact_id],
            )
        )
    # The least asked first: the load is spread over willing clients.
    ready.sort(key=lambda r: (not r.available, r.calls, r.found.row.contact_name))
    return ready
