"""Advocacy potential: the score, its tiers and the next best ask, over a table of cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advocacy.domain.advocacy_asks import Answer, AskFacts
from advocacy.domain.journey import Camp
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority
from advocacy.domain.score_asks import NextAsk, Tier, Why, assess
from advocacy.domain.scoring import (
    Factor,
    LatestSurvey,
    ScoreFacts,
    ScoreWeights,
    score_contact,
)
from advocacy.domain.surveys import SurveyKind

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


ASK = AskFacts(account_id=1, camp=Camp.GOOD, do_not_ask=False, contact_id=10)
CHAMPION = ScoreFacts(
    ask=ASK,
    seniority=Seniority.MANAGER,
    influence=4,
    roles=frozenset({BuyingRole.SPONSOR}),
    latest_survey=LatestSurvey(SurveyKind.NPS, 10, ago(21)),
    engagements=3,
    first_engaged_at=ago(4 * 365),
    engagement_value=400_000,
    service_lines=2,
    two_way_touchpoints=5,
    last_two_way_at=ago(10),
    opens=4,
    clicks=2,
    events=1,
)
QUIET = ScoreFacts(ask=replace(ASK, camp=Camp.UNKNOWN))
MOVED = replace(CHAMPION, ask=replace(ASK, status=ContactStatus.LEFT))
RETIRED = replace(CHAMPION, ask=replace(ASK, status=ContactStatus.RETIRED))

CASES = [
    pytest.param(CHAMPION, Tier.CHAMPION, NextAsk.TESTIMONIAL, id="promoter-without-words"),
    pytest.param(
        replace(CHAMPION, testimonials=1, engagements=1),
        Tier.CHAMPION,
        NextAsk.REFERENCE_CALL,
        id="champion-who-wrote-takes-a-call",
    ),
    pytest.param(
        replace(CHAMPION, testimonials=1, engagements=1, reference_calls_in_cap=2),
        Tier.ADVOCATE,
        NextAsk.REFERRAL,
        id="reference-cap-reached-changes-the-ask",
    ),
    pytest.param(
        replace(CHAMPION, testimonials=1),
        Tier.CHAMPION,
        NextAsk.CASE_STUDY,
        id="deep-relationship-case-study",
    ),
    pytest.param(
        replace(CHAMPION, testimonials=1, seniority=Seniority.C_LEVEL, influence=5),
        Tier.CHAMPION,
        NextAsk.EVENT_SPEAKER,
        id="recognised-voice-speaks-at-an-event",
    ),
    pytest.param(
        replace(CHAMPION, ask=replace(ASK, asked=(ago(3),))),
        Tier.ADVOCATE,
        NextAsk.REFERENCE_CALL,
        id="fatigue-asked-lately-no-second-written-ask",
    ),
    pytest.param(
        replace(CHAMPION, ask=replace(ASK, asked=(ago(3),)), reference_calls_in_cap=2),
        Tier.ADVOCATE,
        NextAsk.NONE,
        id="fatigue-and-cap-let-them-rest",
    ),
    pytest.param(
        replace(CHAMPION, ask=replace(ASK, camp=Camp.BAD)),
        Tier.DO_NOT_ASK,
        NextAsk.NONE,
        id="bad-camp-do-not-ask",
    ),
    pytest.param(
        replace(CHAMPION, ask=replace(ASK, do_not_ask=True)),
        Tier.DO_NOT_ASK,
        NextAsk.NONE,
        id="do-not-ask-account",
    ),
    pytest.param(
        replace(CHAMPION, ask=replace(ASK, suppressed=frozenset({"advocacy_ask"}))),
        Tier.DO_NOT_ASK,
        NextAsk.NONE,
        id="suppressed-address",
    ),
    pytest.param(
        replace(CHAMPION, ask=replace(ASK, open_detractor_signal=True)),
        Tier.AT_RISK,
        NextAsk.REPAIR_FIRST,
        id="open-detractor-signal-repair-first",
    ),
    pytest.param(
        replace(
            CHAMPION,
            latest_survey=LatestSurvey(SurveyKind.NPS, 3, ago(10)),
            ask=replace(ASK, answers=(Answer(SurveyKind.NPS, 3, ago(10)),)),
        ),
        Tier.AT_RISK,
        NextAsk.REPAIR_FIRST,
        id="recent-detractor-survey-repair-first",
    ),
    pytest.param(QUIET, Tier.PASSIVE, NextAsk.NONE, id="no-evidence-is-passive-not-at-risk"),
    pytest.param(
        replace(QUIET, latest_survey=LatestSurvey(SurveyKind.NPS, 2, ago(200))),
        Tier.AT_RISK,
        NextAsk.REPAIR_FIRST,
        id="old-detractor-low-score-at-risk",
    ),
    pytest.param(
        replace(CHAMPION, latest_survey=LatestSurvey(SurveyKind.NPS, 8, ago(21)), testimonials=0),
        Tier.ADVOCATE,
        NextAsk.REVIEW,
        id="advocate-gets-a-light-ask",
    ),
    pytest.param(MOVED, Tier.CHAMPION, NextAsk.INTRODUCE_NEW_COMPANY, id="moved-champion"),
    pytest.param(RETIRED, Tier.CHAMPION, NextAsk.ALUMNI_VOICE, id="retired-alumni-voice"),
    pytest.param(
        replace(MOVED, ask=replace(MOVED.ask, camp=Camp.BAD)),
        Tier.DO_NOT_ASK,
        NextAsk.NONE,
        id="moved-from-a-bad-camp-account-still-refused",
    ),
]


@pytest.mark.parametrize(("facts", "tier", "ask"), CASES)
def test_the_table_of_cases_gives_the_tier_and_the_next_best_ask(
    facts: ScoreFacts, tier: Tier, ask: NextAsk
) -> None:
    found = assess(facts, NOW)
    assert found is not None
    assert 0 <= found.value <= 100
    assert (found.decision.tier, found.decision.ask) == (tier, ask)


def test_a_contact_who_objected_to_profiling_is_not_scored() -> None:
    assert score_contact(replace(CHAMPION, objected_to_profiling=True), NOW) is None
    assert assess(replace(CHAMPION, objected_to_profiling=True), NOW) is None


def test_refusals_name_the_rule_s_reason() -> None:
    found = assess(replace(CHAMPION, ask=replace(ASK, camp=Camp.BAD)), NOW)
    assert found is not None
    assert found.decision.why is Why.REFUSED
    assert found.decision.numbers == {"refusal": "bad_camp"}


def test_the_explanation_says_promoter_with_the_score_and_its_age() -> None:
    score = score_contact(CHAMPION, NOW)
    assert score is not None
    promoter = next(c for c in score.contributions if c.factor is Factor.PROMOTER)
    assert promoter.detail == {"kind": "nps", "score": 10, "days": 21}
    assert promoter.points == 23  # 25 points, decayed over three weeks
    assert score.top(1)[0].factor is Factor.PROMOTER


def test_the_score_is_bounded_even_with_huge_penalties() -> None:
    weights = ScoreWeights(bad_camp_penalty=500, detractor_signal_penalty=500)
    worst = replace(QUIET, ask=replace(ASK, camp=Camp.BAD, open_detractor_signal=True))
    found = score_contact(worst, NOW, weights)
    assert found is not None and found.value == 0
    best = replace(CHAMPION, testimonials=5, referrals=5, seniority=Seniority.BOARD, influence=5)
    heavy = ScoreWeights(experience=90, relationship=90)
    found = score_contact(best, NOW, heavy)
    assert found is not None and found.value == 100


def test_the_weights_change_the_score() -> None:
    light = score_contact(CHAMPION, NOW, ScoreWeights(experience=0))
    heavy = score_contact(CHAMPION, NOW, ScoreWeights(experience=40))
    assert light is not None and heavy is not None
    assert heavy.value > light.value


counts = st.integers(min_value=0, max_value=20)
recent = st.integers(min_value=0, max_value=3 * 365)


@st.composite
def evidence(draw: st.DrawFn) -> ScoreFacts:
    survey = draw(st.none() | st.integers(0, 10))
    touched = draw(st.none() | recent)
    return ScoreFacts(
        ask=replace(ASK, camp=draw(st.sampled_from(list(Camp)))),
        seniority=draw(st.sampled_from(list(Seniority))),
        influence=draw(st.integers(1, 5)),
        latest_survey=None if survey is None else LatestSurvey(SurveyKind.NPS, survey, ago(30)),
        engagements=draw(counts),
        first_engaged_at=ago(draw(recent)),
        engagement_value=draw(st.integers(0, 1_000_000)),
        service_lines=draw(counts),
        two_way_touchpoints=draw(counts),
        last_two_way_at=None if touched is None else ago(touched),
        opens=draw(counts),
        clicks=draw(counts),
        replies=draw(counts),
        events=draw(counts),
        testimonials=draw(counts),
        referrals=draw(counts),
        reference_calls=draw(counts),
    )


@st.composite
def more_positive(draw: st.DrawFn, facts: ScoreFacts) -> ScoreFacts:
    """The same contact with some more positive evidence, never less."""
    more = draw(st.integers(0, 5))
    later = draw(st.integers(0, 100))
    survey = facts.latest_survey
    if survey is not None and draw(st.booleans()):
        survey = replace(survey, score=min(10, survey.score + draw(st.integers(0, 4))))
    last = facts.last_two_way_at
    if draw(st.booleans()):
        last = NOW - timedelta(days=later) if last is None else max(last, NOW - timedelta(later))
    return replace(
        facts,
        latest_survey=survey,
        engagements=facts.engagements + more,
        engagement_value=facts.engagement_value + draw(st.integers(0, 100_000)),
        service_lines=facts.service_lines + draw(st.integers(0, 2)),
        two_way_touchpoints=facts.two_way_touchpoints + draw(st.integers(0, 3)),
        last_two_way_at=last,
        opens=facts.opens + draw(st.integers(0, 3)),
        clicks=facts.clicks + draw(st.integers(0, 3)),
        replies=facts.replies + draw(st.integers(0, 3)),
        events=facts.events + draw(st.integers(0, 3)),
        testimonials=facts.testimonials + draw(st.integers(0, 2)),
        referrals=facts.referrals + draw(st.integers(0, 2)),
        reference_calls=facts.reference_calls + draw(st.integers(0, 2)),
        influence=min(5, facts.influence + draw(st.integers(0, 2))),
    )


@given(st.data())
def test_more_positive_evidence_never_lowers_the_score(data: st.DataObject) -> None:
    before = data.draw(evidence())
    after = data.draw(more_positive(before))
    first = score_contact(before, NOW)
    second = score_contact(after, NOW)
    assert first is not None and second is not None
    assert 0 <= first.value <= 100
    assert second.value >= first.value
