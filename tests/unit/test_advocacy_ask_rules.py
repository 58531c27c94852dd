"""The one "may we ask this person?" rule: every reason, for every kind of ask, with its message."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.advocacy_asks import (
    MESSAGES,
    Answer,
    AskFacts,
    AskKind,
    AskPolicy,
    Refusal,
    may_ask,
)
from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Camp
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import SurveyKind

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
POLICY = AskPolicy(detractor_days=90, objection_days=180, rest_days=14)
HAPPY = AskFacts(account_id=1, camp=Camp.GOOD, do_not_ask=False, contact_id=10)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


CASES = [
    pytest.param(HAPPY, AskKind.TESTIMONIAL, (), id="happy-client-may-be-asked"),
    pytest.param(replace(HAPPY, camp=Camp.UNKNOWN), AskKind.REFERRAL, (), id="unknown-camp"),
    pytest.param(
        replace(HAPPY, camp=Camp.BAD, do_not_ask=True),
        AskKind.TESTIMONIAL,
        (Refusal.BAD_CAMP,),
        id="bad-camp-once-not-twice",
    ),
    pytest.param(
        replace(HAPPY, do_not_ask=True), AskKind.REFERRAL, (Refusal.DO_NOT_ASK,), id="do-not-ask"
    ),
    pytest.param(
        replace(HAPPY, open_detractor_signal=True),
        AskKind.REFERENCE_CALL,
        (Refusal.DETRACTOR_SIGNAL,),
        id="colleague-of-a-detractor",
    ),
    pytest.param(
        replace(HAPPY, open_repair=True),
        AskKind.PROMOTER_FOLLOW_UP,
        (Refusal.REPAIR_OPEN,),
        id="repair-conversation-open",
    ),
    pytest.param(
        replace(HAPPY, answers=(Answer(SurveyKind.NPS, 3, ago(0.003)),)),
        AskKind.TESTIMONIAL,
        (Refusal.DETRACTOR_SURVEY,),
        id="nps-3-four-minutes-ago",
    ),
    pytest.param(
        replace(HAPPY, answers=(Answer(SurveyKind.CSAT, 2, ago(89)),)),
        AskKind.REFERRAL,
        (Refusal.DETRACTOR_SURVEY,),
        id="csat-2-within-the-period",
    ),
    pytest.param(
        replace(HAPPY, answers=(Answer(SurveyKind.NPS, 3, ago(91)),)),
        AskKind.TESTIMONIAL,
        (),
        id="detractor-before-the-period",
    ),
    pytest.param(
        replace(HAPPY, answers=(Answer(SurveyKind.NPS, 7, ago(1)),)),
        AskKind.TESTIMONIAL,
        (),
        id="passive-is-not-a-detractor",
    ),
    pytest.param(
        replace(HAPPY, status=ContactStatus.LEFT),
        AskKind.REFERENCE_CALL,
        (Refusal.NOT_CURRENT,),
        id="left",
    ),
    pytest.param(
        replace(HAPPY, status=ContactStatus.RETIRED),
        AskKind.TESTIMONIAL,
        (Refusal.NOT_CURRENT,),
        id="retired",
    ),
    pytest.param(
        replace(HAPPY, has_address=False),
        AskKind.TESTIMONIAL,
        (Refusal.NO_ADDRESS,),
        id="no-address-for-an-e-mailed-ask",
    ),
    pytest.param(
        replace(HAPPY, has_address=False),
        AskKind.PROMOTER_FOLLOW_UP,
        (),
        id="no-address-needed-on-the-thank-you-page",
    ),
    pytest.param(
        replace(HAPPY, suppressed=frozenset({"advocacy_ask"})),
        AskKind.PROMOTER_FOLLOW_UP,
        (Refusal.SUPPRESSED,),
        id="unsubscribed-from-advocacy-asks",
    ),
    pytest.param(
        replace(HAPPY, suppressed=frozenset({"advocacy_ask"})),
        AskKind.REFERENCE_CALL,
        (),
        id="reference-requests-are-their-own-category",
    ),
    pytest.param(
        replace(HAPPY, suppressed=frozenset({"all"})),
        AskKind.REFERENCE_CALL,
        (Refusal.SUPPRESSED,),
        id="unsubscribed-from-everything",
    ),
    pytest.param(
        replace(HAPPY, objections=(ago(30),)),
        AskKind.TESTIMONIAL,
        (Refusal.OBJECTED,),
        id="withdrew-a-testimonial-lately",
    ),
    pytest.param(
        replace(HAPPY, objections=(ago(181),)), AskKind.TESTIMONIAL, (), id="withdrew-long-ago"
    ),
    pytest.param(
        replace(HAPPY, asked=(ago(13),)),
        AskKind.REFERRAL,
        (Refusal.RECENTLY_ASKED,),
        id="asked-within-the-rest",
    ),
    pytest.param(replace(HAPPY, asked=(ago(15),)), AskKind.REFERRAL, (), id="rested-enough"),
    pytest.param(
        replace(HAPPY, asked=(ago(1),)),
        AskKind.REFERENCE_CALL,
        (),
        id="reference-calls-have-their-own-cap",
    ),
    pytest.param(
        replace(
            HAPPY,
            camp=Camp.BAD,
            status=ContactStatus.LEFT,
            open_detractor_signal=True,
            answers=(Answer(SurveyKind.NPS, 0, ago(2)),),
        ),
        AskKind.TESTIMONIAL,
        (
            Refusal.NOT_CURRENT,
            Refusal.BAD_CAMP,
            Refusal.DETRACTOR_SIGNAL,
            Refusal.DETRACTOR_SURVEY,
        ),
        id="every-reason-is-listed",
    ),
    pytest.param(
        replace(HAPPY, contact_id=None, status=ContactStatus.LEFT, has_address=False),
        AskKind.TESTIMONIAL,
        (),
        id="an-account-is-judged-on-account-facts-only",
    ),
    pytest.param(
        replace(HAPPY, contact_id=None, open_repair=True),
        AskKind.REFERRAL,
        (Refusal.REPAIR_OPEN,),
        id="an-account-in-repair",
    ),
]


@pytest.mark.parametrize(("facts", "kind", "reasons"), CASES)
def test_the_rule_refuses_with_every_reason_and_allows_the_rest(
    facts: AskFacts, kind: AskKind, reasons: tuple[Refusal, ...]
) -> None:
    verdict = may_ask(facts, kind, NOW, POLICY)
    assert verdict.reasons == reasons
    assert verdict.allowed is (not reasons)
    assert verdict.message == (MESSAGES[reasons[0]] if reasons else "")


def test_a_refusal_raises_with_its_message_and_an_allowed_ask_does_not() -> None:
    may_ask(HAPPY, AskKind.TESTIMONIAL, NOW, POLICY).check()
    with pytest.raises(RuleError, match="do-not-ask"):
        may_ask(replace(HAPPY, do_not_ask=True), AskKind.TESTIMONIAL, NOW, POLICY).check()


def test_every_refusal_has_a_message() -> None:
    assert set(MESSAGES) == set(Refusal)
