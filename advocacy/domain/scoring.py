"""Advocacy potential: an explainable score per contact (docs/scoring.md).

Seven factors, each normalised to 0..1 (experience may go down to -1) and weighted in points, add
up to a score from 0 to 100; three penalties take points away. Every contribution is kept with the
numbers behind it, so the pages can say why ("+18 promoter: NPS 10 three weeks ago"). The tier and
the next best ask come from `domain.score_asks`, which obeys the one "may we ask" rule.

A contact who objected to profiling is not scored at all: `score_contact` returns None.
Pure: the facts, the weights and `now` come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from advocacy.domain.advocacy_asks import AskFacts
from advocacy.domain.journey import Camp
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority
from advocacy.domain.surveys import SurveyKind, evidence_score

SCORE_MAX: Final = 100
DAY_SECONDS: Final = 86_400


@dataclass(frozen=True)
class ScoreWeights:
    """Weights (points at full strength) and thresholds of the score; see docs/scoring.md.

    The positive weights add up to 100 by default, so a contact strong on every factor scores 100.
    """

    experience: int = 25  # what they said: the strongest predictor of what they will say
    camp: int = 5  # a good-camp former client remembers us well
    relationship: int = 15  # engagements, tenure, value, service lines bought
    recency: int = 10  # two-way touchpoints, decaying
    nurture: int = 10  # opens, clicks, replies, events attended
    advocacy: int = 15  # testimonials, referrals, reference calls already given
    authority: int = 15  # seniority, buying-group role, influence
    availability: int = 5  # still at the account; moved or retired count for less
    bad_camp_penalty: int = 30
    detractor_signal_penalty: int = 20
    fatigue_penalty: int = 10  # asked recently, or reference calls at the cap
    champion_at: int = 75
    advocate_at: int = 55
    at_risk_below: int = 25
    survey_half_life_days: int = 180  # a survey this old counts half
    touchpoint_half_life_days: int = 90  # a conversation this old counts half


# Where a factor is at full strength (1.0); past that, more of the same adds nothing.
FULL_ENGAGEMENTS: Final = 3
FULL_TENURE_DAYS: Final = 5 * 365
FULL_VALUE: Final = 500_000  # total value of the engagements they took part in, any currency
FULL_SERVICE_LINES: Final = 3
FULL_TWO_WAY: Final = 4  # two-way touchpoints in the last year
FULL_NURTURE_POINTS: Final = 10
NURTURE_POINTS: Final = {"opens": 1, "clicks": 2, "replies": 3, "events": 3}
FULL_ADVOCACY_POINTS: Final = 6
ADVOCACY_POINTS: Final = {"testimonials": 3, "referrals": 3, "reference_calls": 2}
SENIORITY_WEIGHT: Final = {
    Seniority.BOARD: 1.0,
    Seniority.C_LEVEL: 1.0,
    Seniority.VP_DIRECTOR: 0.75,
    Seniority.MANAGER: 0.5,
    Seniority.INDIVIDUAL: 0.25,
}
# Buyers trust the people who decided: a sponsor or decision maker speaks with most weight.
DECIDING_ROLES: Final = frozenset({BuyingRole.DECISION_MAKER, BuyingRole.SPONSOR})
# A moved champion is an opportunity at the new company, a retired one an alumni voice: not zero.
AVAILABILITY: Final = {
    ContactStatus.ACTIVE: 1.0,
    ContactStatus.LEFT: 0.6,
    ContactStatus.RETIRED: 0.6,
}


class Factor(StrEnum):
    """One line of the explanation; `detail` carries its numbers."""

    PROMOTER = "promoter"  # nps|csat, score, days
    PASSIVE = "passive"
    DETRACTOR = "detractor"
    GOOD_CAMP = "good_camp"
    BAD_CAMP = "bad_camp"
    DETRACTOR_SIGNAL = "detractor_signal"
    RELATIONSHIP = "relationship"  # engagements, years, service_lines
    RECENCY = "recency"  # touchpoints, days
    NURTURE = "nurture"  # opens, clicks, replies, events
    ADVOCACY = "advocacy"  # testimonials, referrals, reference_calls
    AUTHORITY = "authority"  # seniority, influence, deciding
    AVAILABILITY = "availability"  # status
    FATIGUE = "fatigue"  # asked (days ago), calls at cap


@dataclass(frozen=True)
class LatestSurvey:
    """The contact's latest answered survey."""

    kind: SurveyKind
    score: int
    answered_at: datetime


@dataclass(frozen=True)
class ScoreFacts:
    """Everything the score reads about one contact, gathered in bulk by the caller."""

    ask: AskFacts  # the "may we ask" facts (repository/asks.py); contact_id is set
    seniority: Seniority = Seniority.MANAGER
    influence: int = 3  # 1-5
    roles: frozenset[BuyingRole] = frozenset()
    objected_to_profiling: bool = False
    latest_survey: LatestSurvey | None = None
    engagements: int = 0
    first_engaged_at: datetime | None = None
    engagement_value: float = 0.0
    service_lines: int = 0
    two_way_touchpoints: int = 0  # in the last year
    last_two_way_at: datetime | None = None
    opens: int = 0  # nurture mail, last year
    clicks: int = 0
    replies: int = 0
    events: int = 0
    testimonials: int = 0  # given and not withdrawn
    referrals: int = 0
    reference_calls: int = 0  # accepted or held
    reference_calls_in_cap: int = 0
    reference_cap: int = 2
    last_asked_at: datetime | None = None  # the latest advocacy ask e-mailed

    @property
    def contact_id(self) -> int:
        return self.ask.contact_id or 0

    @property
    def status(self) -> ContactStatus:
        return self.ask.status

    @property
    def at_reference_cap(self) -> bool:
        return self.reference_calls_in_cap >= self.reference_cap


@dataclass(frozen=True)
class Contribution:
    """Points one factor added (or took away), with the numbers that explain it."""

    factor: Factor
    points: int
    detail: dict[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    """The score of one contact and how it was reached (the tier and ask are in score_asks)."""

    value: int
    contributions: tuple[Contribution, ...]

    def top(self, count: int = 3) -> tuple[Contribution, ...]:
        """The contributions that weigh most, positive or negative, largest first."""
        ranked = sorted(self.contributions, key=lambda c: (-abs(c.points), c.factor.value))
        return tuple(c for c in ranked if c.points)[:count]


def _capped(value: float, full: float) -> float:
    return max(0.0, min(1.0, value / full)) if full > 0 else 0.0


def _days(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // DAY_SECONDS))


def _decay(days: int, half_life: int) -> float:
    return 0.5 ** (days / half_life) if half_life > 0 else 1.0


def _points(weight: int, strength: float) -> int:
    return round(weight * strength)


def _experience(facts: ScoreFacts, weights: ScoreWeights, now: datetime) -> list[Contribution]:
    survey = facts.latest_survey
    if survey is None:
        return []
    days = _days(survey.answered_at, now)
    # On the 0-10 evidence scale: 10 is +1, 7 is 0 (a passive says little), 0 is -1.
    evidence = evidence_score(survey.kind, survey.score)
    strength = (evidence - 7) / 3 if evidence >= 7 else (evidence - 7) / 7
    # Old praise fades; old anger fades too, but an open complaint is the signal's job.
    strength *= _decay(days, weights.survey_half_life_days)
    if evidence >= 9:
        factor = Factor.PROMOTER
    elif evidence >= 7:
        factor = Factor.PASSIVE
        strength = max(strength, 0.0)
    else:
        factor = Factor.DETRACTOR
    detail: dict[str, int | str] = {"kind": survey.kind.value, "score": survey.score, "days": days}
    return [Contribution(factor, _points(weights.experience, strength), detail)]


def _camp(facts: ScoreFacts, weights: ScoreWeights) -> list[Contribution]:
    found = []
    if facts.ask.camp is Camp.GOOD:
        found.append(Contribution(Factor.GOOD_CAMP, weights.camp))
    elif facts.ask.camp is Camp.BAD:
        found.append(Contribution(Factor.BAD_CAMP, -weights.bad_camp_penalty))
    if facts.ask.open_detractor_signal:
        found.append(Contribution(Factor.DETRACTOR_SIGNAL, -weights.detractor_signal_penalty))
    return found


def _relationship(facts: ScoreFacts, weights: ScoreWeights, now: datetime) -> Contribution:
    tenure = _days(facts.first_engaged_at, now) if facts.first_engaged_at else 0
    parts = (
        _capped(facts.engagements, FULL_ENGAGEMENTS),
        _capped(tenure, FULL_TENURE_DAYS),
        _capped(facts.engagement_value, FULL_VALUE),
        _capped(facts.service_lines, FULL_SERVICE_LINES),
    )
    detail: dict[str, int | str] = {
        "engagements": facts.engagements,
        "years": tenure // 365,
        "service_lines": facts.service_lines,
    }
    return Contribution(Factor.RELATIONSHIP, _points(weights.relationship, sum(parts) / 4), detail)


def _recency(facts: ScoreFacts, weights: ScoreWeights, now: datetime) -> Contribution:
    if facts.last_two_way_at is None:
        return Contribution(Factor.RECENCY, 0, {"touchpoints": 0})
    days = _days(facts.last_two_way_at, now)
    strength = (
        _decay(days, weights.touchpoint_half_life_days)
        + _capped(facts.two_way_touchpoints, FULL_TWO_WAY)
    ) / 2
    detail: dict[str, int | str] = {"touchpoints": facts.two_way_touchpoints, "days": days}
    return Contribution(Factor.RECENCY, _points(weights.recency, strength), detail)


def _nurture(facts: ScoreFacts, weights: ScoreWeights) -> Contribution:
    counts = {
        "opens": facts.opens,
        "clicks": facts.clicks,
        "replies": facts.replies,
        "events": facts.events,
    }
    points = 0
    for name, count in counts.items():  # a plain loop: this runs for every contact nightly
        if count > 0:
            points += NURTURE_POINTS[name] * count
    strength = _capped(points, FULL_NURTURE_POINTS)
    return Contribution(Factor.NURTURE, _points(weights.nurture, strength), dict(counts))


def _advocacy(facts: ScoreFacts, weights: ScoreWeights) -> Contribution:
    counts = {
        "testimonials": facts.testimonials,
        "referrals": facts.referrals,
        "reference_calls": facts.reference_calls,
    }
    points = 0
    for name, count in counts.items():
        if count > 0:
            points += ADVOCACY_POINTS[name] * count
    strength = _capped(points, FULL_ADVOCACY_POINTS)
    return Contribution(Factor.ADVOCACY, _points(weights.advocacy, strength), dict(counts))


def _authority(facts: ScoreFacts, weights: ScoreWeights) -> Contribution:
    deciding = bool(facts.roles & DECIDING_ROLES)
    role = 1.0 if deciding else (0.5 if facts.roles else 0.3)
    influence = _capped(facts.influence, 5)
    strength = (SENIORITY_WEIGHT[facts.seniority] + role + influence) / 3
    detail: dict[str, int | str] = {
        "seniority": facts.seniority.value,
        "influence": facts.influence,
        "deciding": int(deciding),
    }
    return Contribution(Factor.AUTHORITY, _points(weights.authority, strength), detail)


def _fatigue(facts: ScoreFacts, weights: ScoreWeights, now: datetime) -> list[Contribution]:
    if facts.status is not ContactStatus.ACTIVE:
        return []  # nobody asks a departed contact for the account: no fatigue to count
    asked = facts.ask.asked
    if not asked and not facts.at_reference_cap:
        return []
    detail: dict[str, int | str] = {"calls": facts.reference_calls_in_cap}
    if asked:
        detail["days"] = _days(max(asked), now)
    return [Contribution(Factor.FATIGUE, -weights.fatigue_penalty, detail)]


def contributions(
    facts: ScoreFacts, weights: ScoreWeights, now: datetime
) -> tuple[Contribution, ...]:
    """Every factor's contribution in points, with its numbers."""
    availability = AVAILABILITY[facts.status]
    return (
        *_experience(facts, weights, now),
        *_camp(facts, weights),
        _relationship(facts, weights, now),
        _recency(facts, weights, now),
        _nurture(facts, weights),
        _advocacy(facts, weights),
        _authority(facts, weights),
        Contribution(
            Factor.AVAILABILITY,
            _points(weights.availability, availability),
            {"status": facts.status.value},
        ),
        *_fatigue(facts, weights, now),
    )


def score_contact(
    facts: ScoreFacts, now: datetime, weights: ScoreWeights | None = None
) -> Score | None:
    """The contact's score from 0 to 100 with its contributions; None if they objected."""
    if facts.objected_to_profiling:
        return None
    found = contributions(facts, weights or ScoreWeights(), now)
    total = sum(c.points for c in found)
    return Score(max(0, min(SCORE_MAX, total)), found)
