"""Reference-call rules: who may be asked to speak with a prospect, ranked by fit.

A good reference is precious and easily worn out. So the product only proposes people who allowed
reference calls, never anyone who already gave `cap.max_calls` calls (accepted or held) within the
cap period, nor anyone the one advocacy rule (domain.advocacy_asks) refuses: unhappy lately, an
open detractor signal or repair, a bad-camp or do-not-ask account... Everyone left out is returned
with the reasons, so staff understand why a familiar name is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.advocacy_asks import Answer, AskFacts, AskKind, may_ask
from advocacy.domain.journey import Camp
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import SurveyKind

# Survey answers that mean "unhappy" (NPS 0-6, CSAT 1-2) and "happy" (NPS 9-10, CSAT 4-5).
DETRACTOR_MAX: Final = {"nps": 6, "csat": 2}
PROMOTER_MIN: Final = {"nps": 9, "csat": 4}


class Fit(StrEnum):
    """Why a candidate fits the request; each adds its weight to the score."""

    INDUSTRY = "same_industry"
    SERVICE_LINE = "same_service_line"
    SIZE_BAND = "same_size_band"
    LANGUAGE = "same_language"
    GOOD_CAMP = "good_camp"
    PROMOTER = "recent_positive_survey"


class Exclusion(StrEnum):
    """Why a contact who allowed reference calls is not proposed."""

    INACTIVE = "inactive"
    BAD_CAMP = "bad_camp"
    DO_NOT_ASK = "do_not_ask"
    DETRACTOR_SURVEY = "detractor_survey"
    DETRACTOR_SIGNAL = "detractor_signal"
    OVER_CAP = "over_cap"
    ALREADY_ASKED = "already_asked"
    # The other refusals of the one advocacy rule (same codes as advocacy_asks.Refusal).
    REPAIR_OPEN = "repair_open"
    NO_ADDRESS = "no_address"
    SUPPRESSED = "suppressed"
    OBJECTED = "objected"
    RECENTLY_ASKED = "recently_asked"


WEIGHTS: Final = {
    Fit.INDUSTRY: 3,
    Fit.SERVICE_LINE: 3,
    Fit.SIZE_BAND: 2,
    Fit.LANGUAGE: 2,
    Fit.GOOD_CAMP: 2,
    Fit.PROMOTER: 2,
}
# Each call given within the cap period costs a point: the load is spread over willing clients.
RECENT_CALL_PENALTY: Final = 1


@dataclass(frozen=True)
class Cap:
    """At most `max_calls` accepted or held calls per contact within `days`."""

    max_calls: int
    days: int

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)


@dataclass(frozen=True)
class Wanted:
    """What the prospect looks like; empty values match nobody."""

    industry: str = ""
    service_line_id: int | None = None
    size_band: str = ""
    language: str = ""


@dataclass(frozen=True)
class SurveyAnswer:
    kind: str  # nps | csat
    score: int
    answered_at: datetime


@dataclass(frozen=True)
class CandidateFacts:
    """What is known of one contact who allowed reference calls."""

    contact_id: int
    active: bool
    language: str
    industry: str
    size_band: str
    camp: Camp
    do_not_ask: bool
    service_line_ids: frozenset[int] = frozenset()
    surveys: tuple[SurveyAnswer, ...] = ()
    open_detractor_signal: bool = False
    # When each accepted or held call was asked, for the calls that count toward the cap.
    counted_calls: tuple[datetime, ...] = ()
    already_asked: bool = False
    # Everything the advocacy rule knows (repository/asks.py); without it, read from the fields above.
    ask: AskFacts | None = None


@dataclass(frozen=True)
class Proposal:
    contact_id: int
    score: int
    fits: tuple[Fit, ...]
    recent_calls: int


@dataclass(frozen=True)
class Excluded:
    contact_id: int
    reasons: tuple[Exclusion, ...]


@dataclass(frozen=True)
class Ranking:
    proposed: list[Proposal] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


def is_detractor(answer: SurveyAnswer) -> bool:
    limit = DETRACTOR_MAX.get(answer.kind)
    return limit is not None and answer.score <= limit


def is_promoter(answer: SurveyAnswer) -> bool:
    limit = PROMOTER_MIN.get(answer.kind)
    return limit is not None and answer.score >= limit


def calls_counted(facts: CandidateFacts, cap: Cap, *, now: datetime) -> int:
    """Accepted or held calls of this contact within the cap period."""
    since = cap.since(now)
    return sum(1 for at in facts.counted_calls if since <= at <= now)


def exclusions(facts: CandidateFacts, cap: Cap, *, now: datetime) -> tuple[Exclusion, ...]:
    """Every reason this contact may not be asked now (empty: they may)."""
    verdict = may_ask(_ask_facts(facts), AskKind.REFERENCE_CALL, now)
    reasons = [Exclusion(refusal.value) for refusal in verdict.reasons]
    if calls_counted(facts, cap, now=now) >= cap.max_calls:
        reasons.append(Exclusion.OVER_CAP)
    if facts.already_asked:
        reasons.append(Exclusion.ALREADY_ASKED)
    return tuple(reasons)


def _ask_facts(facts: CandidateFacts) -> AskFacts:
    if facts.ask is not None:
        return facts.ask
    return AskFacts(
        account_id=0,
        camp=facts.camp,
        do_not_ask=facts.do_not_ask,
        open_detractor_signal=facts.open_detractor_signal,
        contact_id=facts.contact_id,
        status=ContactStatus.ACTIVE if facts.active else ContactStatus.LEFT,
        answers=tuple(
            Answer(SurveyKind(s.kind), s.score, s.answered_at)
            for s in facts.surveys
            if s.kind in {k.value for k in SurveyKind}
        ),
    )


def fits(
    facts: CandidateFacts, wanted: Wanted, *, now: datetime, recent: timedelta
) -> tuple[Fit, ...]:
    """What this contact has in common with the prospect, and the signs they would speak well."""
    found: list[Fit] = []
    if wanted.industry and facts.industry.casefold() == wanted.industry.casefold():
        found.append(Fit.INDUSTRY)
    if wanted.service_line_id is not None and wanted.service_line_id in facts.service_line_ids:
        found.append(Fit.SERVICE_LINE)
    if wanted.size_band and facts.size_band == wanted.size_band:
        found.append(Fit.SIZE_BAND)
    if wanted.language and facts.language == wanted.language:
        found.append(Fit.LANGUAGE)
    if facts.camp is Camp.GOOD:
        found.append(Fit.GOOD_CAMP)
    if any(is_promoter(s) and now - recent <= s.answered_at <= now for s in facts.surveys):
        found.append(Fit.PROMOTER)
    return tuple(found)


def rank_candidates(
    candidates: Iterable[CandidateFacts],
    wanted: Wanted,
    cap: Cap,
    *,
    now: datetime,
    recent: timedelta = timedelta(days=365),
) -> Ranking:
    """Propose the contacts who may be asked, best fit first; list the others with the reasons."""
    ranking = Ranking()
    for facts in candidates:
        reasons = exclusions(facts, cap, now=now)
        if reasons:
            ranking.excluded.append(Excluded(facts.contact_id, reasons))
            continue
        found = fits(facts, wanted, now=now, recent=recent)
        calls = calls_counted(facts, cap, now=now)
        score = sum(WEIGHTS[fit] for fit in found) - RECENT_CALL_PENALTY * calls
        ranking.proposed.append(Proposal(facts.contact_id, score, found, calls))
    # Ties go to the contact asked least lately, then the oldest contact id (stable pages).
    ranking.proposed.sort(key=lambda p: (-p.score, p.recent_calls, p.contact_id))
    ranking.excluded.sort(key=lambda e: e.contact_id)
    return ranking
