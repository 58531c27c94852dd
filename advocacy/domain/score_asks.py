"""The tier of a scored contact and the next best ask, with its reason (docs/scoring.md).

The one "may we ask this person" rule (domain.advocacy_asks) comes first and the score never
overrides it: a hard refusal (bad camp, do-not-ask, suppressed, no address, a withdrawal) makes
the contact "do not ask"; an unhappy sign (open detractor signal or repair, a low survey lately)
makes them "at risk" with "repair first". Only then does the score pick the tier and the ask.

A contact who left (moved to another company) or retired no longer speaks for the account, which
is why the rule refuses every ask of the account to them (`not current`). The asks proposed to
them here are about the person, not the account: "introduce us at your new company" and "alumni
voice". Every other refusal of the rule still applies to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from advocacy.domain.advocacy_asks import AskKind, AskPolicy, AskVerdict, Refusal, may_ask
from advocacy.domain.people import ContactStatus, Seniority
from advocacy.domain.scoring import Score, ScoreFacts, ScoreWeights, score_contact


class Tier(StrEnum):
    CHAMPION = "champion"
    ADVOCATE = "advocate"
    PASSIVE = "passive"
    AT_RISK = "at_risk"
    DO_NOT_ASK = "do_not_ask"


class NextAsk(StrEnum):
    TESTIMONIAL = "testimonial"
    REFERRAL = "referral"
    CASE_STUDY = "case_study"
    REFERENCE_CALL = "reference_call"
    REVIEW = "review"
    EVENT_SPEAKER = "event_speaker"
    INTRODUCE_NEW_COMPANY = "introduce_new_company"  # a moved champion
    ALUMNI_VOICE = "alumni_voice"  # a retired advocate
    REPAIR_FIRST = "repair_first"
    NONE = "none"  # nothing to ask now: keep the relationship warm


class Why(StrEnum):
    """The reason given for the ask; `Decision.numbers` carries its figures."""

    REFUSED = "refused"  # refusal: the rule's code
    REPAIR = "repair"  # refusal: the rule's code
    MOVED_CHAMPION = "moved_champion"  # score
    RETIRED_ALUMNUS = "retired_alumnus"  # score
    DEPARTED_LOW = "departed_low"  # score
    FIRST_WORDS = "first_words"  # a champion who never gave a testimonial: score
    DEEP_RELATIONSHIP = "deep_relationship"  # engagements, service lines
    RECOGNISED_VOICE = "recognised_voice"  # a senior, influential champion
    INTRODUCE_PEERS = "introduce_peers"  # a champion who already spoke for us
    RESTED_SPEAK = "rested_speak"  # asked lately (days): a call instead of writing again
    RESTED_WAIT = "rested_wait"  # asked lately and calls at the cap: let them rest
    LIGHT_ASK = "light_ask"  # an advocate: a short public review first
    WARM_UP = "warm_up"  # passive: not yet, keep in touch
    LOW_SCORE = "low_score"  # at risk by score: listen before asking


# Refusals that say "repair the relationship first"; every other refusal says "do not ask".
REPAIR_REFUSALS: Final = frozenset(
    {Refusal.DETRACTOR_SIGNAL, Refusal.REPAIR_OPEN, Refusal.DETRACTOR_SURVEY}
)
# Asks that need someone who has already spoken for us (they do not start cold).
SENIOR: Final = frozenset({Seniority.BOARD, Seniority.C_LEVEL, Seniority.VP_DIRECTOR})
SPEAKER_INFLUENCE: Final = 4
CASE_STUDY_ENGAGEMENTS: Final = 2
DEFAULT_WEIGHTS: Final = ScoreWeights()
DEFAULT_POLICY: Final = AskPolicy()


@dataclass(frozen=True)
class Decision:
    """The tier, the next best ask and why."""

    tier: Tier
    ask: NextAsk
    why: Why
    numbers: dict[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """A contact's score with its tier and next best ask."""

    score: Score
    decision: Decision

    @property
    def value(self) -> int:
        return self.score.value


def _verdict(facts: ScoreFacts, now: datetime, policy: AskPolicy) -> AskVerdict:
    """The rule's verdict for an advocacy ask; a departure alone refuses nothing here."""
    verdict = may_ask(facts.ask, AskKind.TESTIMONIAL, now, policy)
    if facts.status is ContactStatus.ACTIVE:
        return verdict
    return AskVerdict(tuple(r for r in verdict.reasons if r is not Refusal.NOT_CURRENT))


def _tier_by_score(score: Score, weights: ScoreWeights) -> Tier:
    if score.value >= weights.champion_at:
        return Tier.CHAMPION
    if score.value >= weights.advocate_at:
        return Tier.ADVOCATE
    # Low for a bad reason (something counted against them), not merely unknown: at risk.
    if score.value < weights.at_risk_below and any(c.points < 0 for c in score.contributions):
        return Tier.AT_RISK
    return Tier.PASSIVE


def _departed(facts: ScoreFacts, tier: Tier, value: int) -> Decision:
    numbers: dict[str, int | str] = {"score": value}
    if tier not in {Tier.CHAMPION, Tier.ADVOCATE}:
        return Decision(tier, NextAsk.NONE, Why.DEPARTED_LOW, numbers)
    if facts.status is ContactStatus.RETIRED:
        return Decision(tier, NextAsk.ALUMNI_VOICE, Why.RETIRED_ALUMNUS, numbers)
    return Decision(tier, NextAsk.INTRODUCE_NEW_COMPANY, Why.MOVED_CHAMPION, numbers)


def _rested(facts: ScoreFacts, tier: Tier, verdict: AskVerdict, now: datetime) -> Decision | None:
    """Fatigue: asked lately, the written asks rest; a call may still go, unless at the cap."""
    if Refusal.RECENTLY_ASKED not in verdict.reasons:
        return None
    days = (now - max(facts.ask.asked)).days if facts.ask.asked else 0
    if tier in {Tier.CHAMPION, Tier.ADVOCATE} and not facts.at_reference_cap:
        return Decision(tier, NextAsk.REFERENCE_CALL, Why.RESTED_SPEAK, {"days": days})
    return Decision(tier, NextAsk.NONE, Why.RESTED_WAIT, {"days": days})


def _champion(facts: ScoreFacts, value: int) -> Decision:
    tier = Tier.CHAMPION
    if facts.testimonials == 0:
        return Decision(tier, NextAsk.TESTIMONIAL, Why.FIRST_WORDS, {"score": value})
    if facts.seniority in SENIOR and facts.influence >= SPEAKER_INFLUENCE:
        return Decision(tier, NextAsk.EVENT_SPEAKER, Why.RECOGNISED_VOICE, {"score": value})
    if facts.engagements >= CASE_STUDY_ENGAGEMENTS:
        numbers: dict[str, int | str] = {
            "engagements": facts.engagements,
            "service_lines": facts.service_lines,
        }
        return Decision(tier, NextAsk.CASE_STUDY, Why.DEEP_RELATIONSHIP, numbers)
    if not facts.at_reference_cap:
        return Decision(tier, NextAsk.REFERENCE_CALL, Why.INTRODUCE_PEERS, {"score": value})
    return Decision(tier, NextAsk.REFERRAL, Why.INTRODUCE_PEERS, {"score": value})


def decide(
    facts: ScoreFacts,
    score: Score,
    now: datetime,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    policy: AskPolicy = DEFAULT_POLICY,
) -> Decision:
    """The tier and next best ask of a scored contact; the may-we-ask rule decides first."""
    verdict = _verdict(facts, now, policy)
    soft = REPAIR_REFUSALS | {Refusal.RECENTLY_ASKED}
    hard = [r for r in verdict.reasons if r not in soft]
    if hard:
        return Decision(Tier.DO_NOT_ASK, NextAsk.NONE, Why.REFUSED, {"refusal": hard[0].value})
    repair = [r for r in verdict.reasons if r in REPAIR_REFUSALS]
    if repair:
        numbers: dict[str, int | str] = {"refusal": repair[0].value}
        return Decision(Tier.AT_RISK, NextAsk.REPAIR_FIRST, Why.REPAIR, numbers)
    tier = _tier_by_score(score, weights)
    if facts.status is not ContactStatus.ACTIVE:
        return _departed(facts, tier, score.value)
    rested = _rested(facts, tier, verdict, now)
    if rested is not None:
        return rested
    if tier is Tier.CHAMPION:
        return _champion(facts, score.value)
    if tier is Tier.ADVOCATE:
        if facts.testimonials or facts.referrals:
            return Decision(tier, NextAsk.REFERRAL, Why.INTRODUCE_PEERS, {"score": score.value})
        return Decision(tier, NextAsk.REVIEW, Why.LIGHT_ASK, {"score": score.value})
    if tier is Tier.AT_RISK:
        return Decision(tier, NextAsk.REPAIR_FIRST, Why.LOW_SCORE, {"score": score.value})
    return Decision(tier, NextAsk.NONE, Why.WARM_UP, {"score": score.value})


def assess(
    facts: ScoreFacts,
    now: datetime,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    policy: AskPolicy = DEFAULT_POLICY,
) -> Assessment | None:
    """Score, tier and next best ask of one contact; None when they objected to profiling."""
    score = score_contact(facts, now, weights)
    if score is None:
        return None
    return Assessment(score, decide(facts, score, now, weights, policy))
