"""Survey rules: scales, how a score reads, who and when is due, the throttle, the one reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.journey import EngagementStatus, camp_from_evidence
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import (
    COMMENT_MAX,
    AnswerRefused,
    ContactFacts,
    DueSurvey,
    EngagementFacts,
    Schedule,
    Sentiment,
    SurveyKind,
    SurveyStatus,
    Trigger,
    check_answer,
    due_for_engagement,
    evidence_score,
    has_expired,
    invites_advocacy,
    reminder_due,
    sentiment,
    survey_key,
    throttled,
    whom_to_survey,
)

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TODAY = NOW.date()
SCHEDULE = Schedule(
    after_completion_days=7, milestone_every_days=30, reminder_after_days=5, per_contact_days=90
)
NPS, CSAT = SurveyKind.NPS, SurveyKind.CSAT


@pytest.mark.parametrize(
    ("kind", "score", "expected"),
    [
        (NPS, 10, Sentiment.PROMOTER),
        (NPS, 9, Sentiment.PROMOTER),
        (NPS, 8, Sentiment.PASSIVE),
        (NPS, 7, Sentiment.PASSIVE),
        (NPS, 6, Sentiment.DETRACTOR),
        (NPS, 0, Sentiment.DETRACTOR),
        (CSAT, 5, Sentiment.SATISFIED),
        (CSAT, 4, Sentiment.SATISFIED),
        (CSAT, 3, Sentiment.NEUTRAL),
        (CSAT, 2, Sentiment.DETRACTOR),
        (CSAT, 1, Sentiment.DETRACTOR),
    ],
)
def test_a_score_reads_as_promoter_passive_detractor_or_satisfied(
    kind: SurveyKind, score: int, expected: Sentiment
) -> None:
    assert sentiment(kind, score) is expected
    assert invites_advocacy(kind, score) is (expected is Sentiment.PROMOTER)


@pytest.mark.parametrize(
    ("kind", "score", "valid"),
    [
        (NPS, 0, True),
        (NPS, 10, True),
        (NPS, 11, False),
        (NPS, -1, False),
        (NPS, None, False),
        (CSAT, 1, True),
        (CSAT, 5, True),
        (CSAT, 0, False),
        (CSAT, 6, False),
    ],
)
def test_a_score_must_be_on_the_survey_scale(
    kind: SurveyKind, score: int | None, valid: bool
) -> None:
    if valid:
        assert check_answer(kind, score, "  fine  ") == (score, "fine")
    else:
        with pytest.raises(AnswerRefused):
            check_answer(kind, score, "")


@pytest.mark.parametrize(
    "comment", ["x" * (COMMENT_MAX + 1), "nul \x00 inside"], ids=["too long", "NUL"]
)
def test_a_comment_too_long_or_with_nul_is_refused(comment: str) -> None:
    with pytest.raises(AnswerRefused):
        check_answer(NPS, 8, comment)


@pytest.mark.parametrize(
    ("kind", "score", "evidence"),
    [(NPS, 3, 3), (CSAT, 1, 0), (CSAT, 2, 3), (CSAT, 3, 7), (CSAT, 4, 8), (CSAT, 5, 10)],
)
def test_csat_lands_on_the_evidence_scale_with_detractors_among_detractors(
    kind: SurveyKind, score: int, evidence: int
) -> None:
    assert evidence_score(kind, score) == evidence
    assert (evidence <= 6) is (sentiment(kind, score) is Sentiment.DETRACTOR)


def test_a_late_csat_detractor_puts_a_former_client_in_the_bad_camp() -> None:
    scores = [evidence_score(NPS, 10), evidence_score(CSAT, 2)]
    assert camp_from_evidence(scores).value == "bad"


def completed(days_ago: int, status: EngagementStatus = EngagementStatus.COMPLETED):
    return EngagementFacts(7, status, completed_on=TODAY - timedelta(days=days_ago))


def running(started_days_ago: int) -> EngagementFacts:
    return EngagementFacts(
        7, EngagementStatus.ACTIVE, start_date=TODAY - timedelta(days=started_days_ago)
    )


@pytest.mark.parametrize(
    ("engagement", "expected"),
    [
        (completed(6), None),  # not yet: N days after completion
        (completed(7), DueSurvey(7, NPS, Trigger.COMPLETED, (TODAY - timedelta(7)).isoformat())),
        (completed(37), DueSurvey(7, NPS, Trigger.COMPLETED, (TODAY - timedelta(37)).isoformat())),
        (completed(38), None),  # too late: a survey about old work is dropped
        (completed(10, EngagementStatus.CANCELLED), None),
        (EngagementFacts(7, EngagementStatus.COMPLETED), None),  # no completion day known
        (running(29), None),  # before the first milestone
        (running(30), DueSurvey(7, CSAT, Trigger.MILESTONE, "m1")),
        (running(65), DueSurvey(7, CSAT, Trigger.MILESTONE, "m2")),
        (EngagementFacts(7, EngagementStatus.ACTIVE), None),  # no start date
        (EngagementFacts(7, EngagementStatus.WON, start_date=TODAY - timedelta(90)), None),
    ],
)
def test_which_survey_an_engagement_is_due(
    engagement: EngagementFacts, expected: DueSurvey | None
) -> None:
    assert due_for_engagement(engagement, SCHEDULE, TODAY) == expected


def test_milestone_surveys_are_off_when_the_setting_is_zero() -> None:
    schedule = Schedule(7, 0, 5, 90)
    assert due_for_engagement(running(300), schedule, TODAY) is None


def person(contact_id: int, **fields: object) -> ContactFacts:
    fields.setdefault("status", ContactStatus.ACTIVE)
    fields.setdefault("email", f"p{contact_id}@client.example")
    fields.setdefault("consent_basis", "contract")
    return ContactFacts(id=contact_id, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("engagement_people", "account_people", "expected_ids"),
    [
        ([person(2), person(1)], [], [1, 2]),
        ([person(1, consent_basis=""), person(2)], [], [2]),
        ([person(1, email="")], [person(1, email=""), person(3, influence=5)], [3]),
        (
            [person(1, status=ContactStatus.LEFT)],
            [person(4, influence=2), person(5, influence=4)],
            [5],
        ),
        # The fallback is asked even without consent, so the refusal shows why nobody was.
        ([], [person(6, influence=5, consent_basis="")], [6]),
        ([], [person(7, status=ContactStatus.RETIRED)], []),
    ],
)
def test_whom_to_survey_engagement_people_else_the_most_influential(
    engagement_people: list[ContactFacts],
    account_people: list[ContactFacts],
    expected_ids: list[int],
) -> None:
    chosen = whom_to_survey(engagement_people, account_people)
    assert [contact.id for contact in chosen] == expected_ids


@pytest.mark.parametrize(
    ("last_sent_days_ago", "expected"), [(None, False), (10, True), (89, True), (90, False)]
)
def test_one_survey_per_contact_per_period(last_sent_days_ago: int | None, expected: bool) -> None:
    last = None if last_sent_days_ago is None else NOW - timedelta(days=last_sent_days_ago)
    assert throttled(last, NOW, 90) is expected


@pytest.mark.parametrize(
    ("status", "sent_days_ago", "reminded", "expires_in_days", "expected"),
    [
        (SurveyStatus.SENT, 5, False, 25, True),
        (SurveyStatus.SENT, 4, False, 25, False),  # too soon
        (SurveyStatus.SENT, 6, True, 25, False),  # one reminder only
        (SurveyStatus.SENT, 40, False, -1, False),  # the link has run out
        (SurveyStatus.ANSWERED, 6, False, 25, False),
        (SurveyStatus.REFUSED, 6, False, 25, False),
    ],
)
def test_one_reminder_after_the_wait_while_the_link_works(
    status: SurveyStatus, sent_days_ago: int, reminded: bool, expires_in_days: int, expected: bool
) -> None:
    assert (
        reminder_due(
            status,
            sent_at=NOW - timedelta(days=sent_days_ago),
            reminded_at=NOW if reminded else None,
            expires_at=NOW + timedelta(days=expires_in_days),
            now=NOW,
            after_days=5,
        )
        is expected
    )


@pytest.mark.parametrize(
    ("status", "expires_in_days", "expected"),
    [
        (SurveyStatus.SENT, 0, True),
        (SurveyStatus.SENT, 1, False),
        (SurveyStatus.ANSWERED, -3, False),
    ],
)
def test_a_sent_survey_expires_with_its_link(
    status: SurveyStatus, expires_in_days: int, expected: bool
) -> None:
    assert has_expired(status, NOW + timedelta(days=expires_in_days), NOW) is expected


def test_the_key_names_kind_contact_engagement_trigger_and_occurrence() -> None:
    assert survey_key(NPS, 3, 9, Trigger.COMPLETED, "2026-02-01") == "nps:3:9:completed:2026-02-01"
    assert survey_key(CSAT, 3, None, Trigger.ON_DEMAND, "x") == "csat:3:-:on_demand:x"
