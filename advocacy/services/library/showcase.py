"""What the firm's tools and the outside world may see of the advocacy library: testimonials as
the one consent policy allows for each audience, and who is ready to take a reference call.

Read-only (nothing here commits): the JSON API's library endpoints and the embeddable wall call it,
so a withdrawal recorded a moment ago is missing from their very next answer.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from advocacy.domain.disclosure import (
    INTERNAL_AUDIENCES,
    Audience,
    Author,
    Disclosure,
    Naming,
    attribution,
    disclose,
    statuses_shown_to,
)
from advocacy.domain.errors import NotFound
from advocacy.domain.references import Wanted, rank_candidates
from advocacy.domain.testimonials import Use, outcome_tags
from advocacy.models import Testimonial
from advocacy.repository import references, showcase
from advocacy.repository.disclosure import disclosures, live_uses
from advocacy.repository.showcase import TestimonialFacts, TestimonialSearch
from advocacy.services.voice.references import RECENT_SURVEY, cap_of
from advocacy.settings import Settings

# Candidates read per round while filling a page: the policy drops some, so a page may take
# more than one round; a few hundred rows keep each round one cheap query.
BATCH = 200


@dataclass(frozen=True)
class ShownTestimonial:
    """A testimonial as one audience may see it: what is disclosed and the line under it."""

    testimonial: Testimonial
    disclosure: Disclosure
    attribution: str
    author: Author  # only the parts the naming allows; the rest are empty
    language: str
    outcomes: list[str]
    service_line_ids: list[int] = field(default_factory=list)


def _author(testimonial: Testimonial, naming: Naming) -> Author:
    if naming is Naming.NAMED:
        return Author(
            testimonial.display_name,
            testimonial.display_title,
            testimonial.display_company,
            testimonial.industry,
        )
    # Anonymised: a role and a sector, never a name or a company (as `attribution` says).
    return Author("", testimonial.display_title, "", testimonial.industry)


def _matches_permission(
    disclosure: Disclosure, uses: frozenset[Use], wanted: Use | None, audience: Audience
) -> bool:
    """A permission filter reveals no more than the answer shows: outside the firm it matches on
    what is disclosed, so asking for "reference calls" or "internal" finds nothing there."""
    if wanted is None:
        return True
    if audience in INTERNAL_AUDIENCES:
        return wanted in uses
    shown = {
        Use.NAMED_PUBLIC: disclosure.naming is Naming.NAMED,
        Use.ANONYMISED_PUBLIC: disclosure.naming is Naming.ANONYMISED,
        Use.LOGO: disclosure.logo,
        Use.CASE_STUDY: disclosure.case_study,
    }
    return shown.get(wanted, False)


def _has_outcome(testimonial: Testimonial, wanted: str) -> bool:
    wanted = " ".join(wanted.split()).lower()
    return not wanted or wanted in {tag.lower() for tag in outcome_tags(testimonial.outcomes)}


def _shown(
    session: Session,
    found: list[TestimonialFacts],
    audience: Audience,
    *,
    today: date,
    search: TestimonialSearch,
    permission: Use | None,
) -> list[ShownTestimonial]:
    ids = [f.testimonial.id for f in found if f.testimonial.id is not None]
    uses = live_uses(session, ids, today=today)
    kept: list[tuple[TestimonialFacts, Disclosure]] = []
    for facts in found:
        row = facts.testimonial
        assert row.id is not None
        disclosure = disclose(row.status, uses[row.id], audience)
        if (
            disclosure.shown
            and _has_outcome(row, search.outcome)
            and _matches_permission(disclosure, uses[row.id], permission, audience)
        ):
            kept.append((facts, disclosure))
    lines = showcase.service_lines_of(session, [facts.testimonial.id or 0 for facts, _d in kept])
    shown = []
    for facts, disclosure in kept:
        row = facts.testimonial
        author = _author(row, disclosure.naming)
        shown.append(
            ShownTestimonial(
                testimonial=row,
                disclosure=disclosure,
                attribution=attribution(disclosure, author),
                author=author,
                language=facts.language,
                outcomes=outcome_tags(row.outcomes),
                service_line_ids=lines.get(row.id or 0, []),
            )
        )
    return shown


def _round_size(wanted: int, *, kept: int, read: int, search: TestimonialSearch) -> int:
    """Candidates to read next: what the page still needs, scaled by the share the policy kept
    so far (a publish token keeps fewer), within one round's cap. Reading a whole round for a
    short page cost more than the rest of the request."""
    if search.collection_id is not None:
        return BATCH  # ordered by position afterwards: read the collection in whole rounds
    share = kept / read if read else 1.0
    # A fifth more than the estimate, so that a page rarely needs a third round.
    return min(BATCH, max(wanted, math.ceil(1.2 * wanted / max(share, 0.1))))


def show_testimonials(
    session: Session,
    audience: Audience,
    search: TestimonialSearch,
    *,
    today: date,
    limit: int,
    after_id: int | None = None,
    permission: Use | None = None,
) -> tuple[list[ShownTestimonial], bool]:
    """Up to `limit` testimonials `audience` may see today (by id, after `after_id`), and
    whether more follow."""
    shown: list[ShownTestimonial] = []
    cursor = after_id
    read = 0
    while len(shown) <= limit:
        size = _round_size(limit + 1 - len(shown), kept=len(shown), read=read, search=search)
        found = showcase.testimonials_matching(
            session, search, after_id=cursor, limit=size, statuses=statuses_shown_to(audience)
        )
        if not found:
            break
        read += len(found)
        cursor = found[-1].testimonial.id
        shown += _shown(session, found, audience, today=today, search=search, permission=permission)
        if len(found) < size:
            break
    if search.collection_id is not None:
        # A collection's quotes come in the order marketing gave them, not by id.
        places = showcase.collection_positions(session, search.collection_id)
        shown.sort(key=lambda item: places.get(item.testimonial.id or 0, 0))
    return shown[:limit], len(shown) > limit


def show_testimonial(
    session: Session, audience: Audience, testimonial_id: int, *, today: date
) -> ShownTestimonial:
    """One testimonial as `audience` may see it; NotFound when it may not be shown at all (an
    outside reader cannot tell a withdrawn quote from one that never existed)."""
    facts = showcase.testimonial_facts(session, testimonial_id)
    if facts is not None:
        shown = _shown(
            session, [facts], audience, today=today, search=TestimonialSearch(), permission=None
        )
        if shown:
            return shown[0]
    raise NotFound(f"testimonial {testimonial_id}")


@dataclass(frozen=True)
class ReadyReference:
    """Someone who may be asked for a reference call, as the client allowed to be named."""

    contact_id: int
    name: str
    title: str
    company: str
    industry: str
    language: str
    service_line_ids: list[int]


@dataclass(frozen=True)
class ReferenceAvailability:
    """How many people are ready to speak with a prospect, by industry, service line and
    language; who they are only for audiences the policy lets see reference contacts."""

    total: int
    by_industry: dict[str, int]
    by_service_line: dict[int, int]
    by_language: dict[str, int]
    people: list[ReadyReference]
    service_line_names: dict[int, str] = field(default_factory=dict)


def reference_availability(
    session: Session,
    settings: Settings,
    audience: Audience,
    *,
    now: datetime,
    industry: str = "",
    service_line_id: int | None = None,
    language: str = "",
) -> ReferenceAvailability:
    """Contacts ready for a reference call today: their testimonial allows calls (as the firm
    sees it), and the ranking rules exclude nothing (active, not over the cap, no detractor)."""
    cap = cap_of(settings)
    since = min(cap.since(now), now - RECENT_SURVEY)
    found = references.reference_candidates(session, now=now, since=since)
    ranking = rank_candidates(
        [c.facts for c in found], Wanted(), cap, now=now, recent=RECENT_SURVEY
    )
    ready = {p.contact_id for p in ranking.proposed}
    candidates = [c for c in found if c.facts.contact_id in ready]
    testimonials = showcase.testimonials_by_id(session, [c.testimonial_id for c in candidates])
    today = now.date()
    # Whether the client allowed calls is the firm's question (it makes the call); whether the
    # reader may learn who they are is the reader's audience's.
    allowed = disclosures(session, list(testimonials.values()), Audience.STAFF, today=today)
    told = disclosures(session, list(testimonials.values()), audience, today=today)
    wanted_industry = industry.strip().lower()
    chosen = [
        c
        for c in candidates
        if allowed[c.testimonial_id].reference_contact
        and (not wanted_industry or c.facts.industry.lower() == wanted_industry)
        and (service_line_id is None or service_line_id in c.facts.service_line_ids)
        and (not language or c.facts.language == language)
    ]
    people = []
    for c in chosen:
        if not told[c.testimonial_id].reference_contact:
            continue
        row = testimonials[c.testimonial_id]
        people.append(
            ReadyReference(
                contact_id=c.facts.contact_id,
                name=row.display_name or c.name,
                title=row.display_title,
                company=row.display_company or c.account_name,
                industry=c.facts.industry,
                language=c.facts.language,
                service_line_ids=sorted(c.facts.service_line_ids),
            )
        )
    lines: Counter[int] = Counter()
    for c in chosen:
        lines.update(c.facts.service_line_ids)
    return ReferenceAvailability(
        total=len(chosen),
        by_industry=dict(sorted(Counter(c.facts.industry for c in chosen).items())),
        by_service_line=dict(sorted(lines.items())),
        by_language=dict(sorted(Counter(c.facts.language for c in chosen).items())),
        people=sorted(people, key=lambda p: (p.name.lower(), p.contact_id)),
        service_line_names=showcase.service_line_names(session),
    )
