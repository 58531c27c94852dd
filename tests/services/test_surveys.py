"""Surveys that close the loop: sent once N days after completion, throttled, within the pressure
budget, reminded once; answers become touchpoints, camp evidence, repair tasks and invitations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from advocacy.domain.journey import Stage
from advocacy.domain.surveys import AnswerRefused, SurveyKind
from advocacy.models import (
    Account,
    ClientLink,
    JourneySignal,
    OutboxMessage,
    Survey,
    Touchpoint,
)
from advocacy.services.access.client_links import resolve_link
from advocacy.services.voice import surveys
from advocacy.services.voice.survey_answers import AlreadyAnswered, LinkGone, answer_survey
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_mail_contact,
    make_survey,
    make_touchpoint,
    make_user,
)

# NOW is Monday 23 November 2026, 09:30 UTC, inside the send window; the default settings send
# an NPS survey 7 days after completion.
COMPLETED_ON = NOW.date() - timedelta(days=7)


def completed_engagement(session: Session, *contacts: Any, end_date: date = COMPLETED_ON) -> Any:
    account = session.get(Account, contacts[0].account_id)
    return make_engagement(
        session,
        account,
        status="completed",
        start_date=end_date - timedelta(days=60),
        end_date=end_date,
        contact_ids=[contact.id for contact in contacts],
    )


def all_surveys(session: Session) -> list[Survey]:
    session.expire_all()
    return list(session.exec(select(Survey).order_by(Survey.id)))


def survey_mail(session: Session, **where: Any) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.template == "survey")
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(session.exec(query.order_by(OutboxMessage.id)))


def test_a_completed_engagement_is_surveyed_n_days_later_once_even_when_the_job_runs_twice(
    settings: Settings, session: Session
) -> None:
    account = make_account(session, name="Client SA")
    ann = make_mail_contact(session, account, full_name="Ann Client", language="fr")
    bob = make_mail_contact(session, account, full_name="Bob Client")
    completed_engagement(session, ann, bob)

    early = surveys.run(session, settings, now=NOW - timedelta(days=1))
    assert early.sent == 0 and all_surveys(session) == []

    first = surveys.run(session, settings, now=NOW)
    second = surveys.run(session, settings, now=NOW + timedelta(hours=2))
    assert (first.sent, second.sent, second.already_done) == (2, 0, 2)
    rows = all_surveys(session)
    assert [(s.contact_id, s.kind, s.trigger, s.status) for s in rows] == [
        (ann.id, "nps", "completed", "sent"),
        (bob.id, "nps", "completed", "sent"),
    ]
    messages = survey_mail(session)
    assert [(m.to_email, m.category, m.language) for m in messages] == [
        (ann.email, "survey", "fr"),
        (bob.email, "survey", "en"),
    ]
    assert f"{settings.base_url}/c/survey/" in messages[1].text_body
    assert "How likely are you to recommend us" in messages[1].text_body
    link = session.get(ClientLink, rows[1].link_id)
    assert link is not None and link.purpose == "survey" and link.object_id == rows[1].id
    assert rows[1].expires_at == NOW + timedelta(days=settings.client_link_days_survey)


def test_a_survey_planned_but_not_recorded_as_sent_is_sent_once_by_the_rerun(
    settings: Settings, session: Session
) -> None:
    # A crash after the survey row was written and before its e-mail: the rerun finishes it.
    contact = make_mail_contact(session)
    engagement = completed_engagement(session, contact)
    session.add(
        Survey(
            key=f"nps:{contact.id}:{engagement.id}:completed:{COMPLETED_ON.isoformat()}",
            account_id=contact.account_id,
            contact_id=contact.id,
            engagement_id=engagement.id,
            kind="nps",
            trigger="completed",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.commit()
    assert surveys.run(session, settings, now=NOW).sent == 1
    assert surveys.run(session, settings, now=NOW).sent == 0
    assert len(all_surveys(session)) == 1 and len(survey_mail(session)) == 1


def test_the_most_influential_active_contact_is_asked_when_the_engagement_names_nobody_reachable(
    settings: Settings, session: Session
) -> None:
    account = make_account(session)
    gone = make_mail_contact(session, account, influence=5)
    gone.status = "left"
    session.add(gone)
    session.commit()
    make_mail_contact(session, account, influence=2)
    boss = make_mail_contact(session, account, influence=4)
    completed_engagement(session, gone)
    surveys.run(session, settings, now=NOW)
    assert [s.contact_id for s in all_surveys(session)] == [boss.id]


def test_a_contact_without_consent_is_recorded_as_refused_with_the_reason(
    settings: Settings, session: Session
) -> None:
    account = make_account(session)
    silent = make_contact(session, account, email="silent@client.example", influence=5)
    completed_engagement(session, silent)
    report = surveys.run(session, settings, now=NOW)
    [survey] = all_surveys(session)
    assert (report.refused, survey.status, survey.refusal) == (1, "refused", "no_consent")
    assert survey_mail(session) == [] and survey.link_id is None
    assert surveys.run(session, settings, now=NOW).refused == 0  # decided once


def test_one_survey_per_contact_per_period_on_top_of_the_pressure_budget(
    settings: Settings, session: Session
) -> None:
    contact = make_mail_contact(session)
    make_survey(
        session,
        settings,
        account=session.get(Account, contact.account_id),
        contact=contact,
        now=NOW - timedelta(days=settings.surveys_per_contact_days - 1),
    )
    completed_engagement(session, contact)
    surveys.run(session, settings, now=NOW)
    latest = all_surveys(session)[-1]
    assert (latest.trigger, latest.status, latest.refusal) == ("completed", "refused", "throttle")
    assert len(survey_mail(session)) == 1


def test_a_full_pressure_budget_keeps_the_survey_planned_and_it_goes_when_room_is_made(
    settings: Settings, session: Session
) -> None:
    contact = make_mail_contact(session)
    account = session.get(Account, contact.account_id)
    for hours in (2, 3):  # the contact budget is 2 touches in 14 days
        make_touchpoint(
            session, account, contact_id=contact.id, occurred_at=NOW - timedelta(hours=hours)
        )
    completed_engagement(session, contact)
    report = surveys.run(session, settings, now=NOW)
    [survey] = all_surveys(session)
    assert (report.waiting, survey.status, survey.refusal) == (1, "planned", "pressure")
    assert survey_mail(session) == []

    later = NOW + timedelta(days=settings.mail_pressure_days)  # the calls leave the period
    assert surveys.run(session, settings, now=later).sent == 1
    assert all_surveys(session)[0].status == "sent"


def test_a_survey_held_back_too_long_is_given_up_with_its_reason(
    settings: Settings, session: Session
) -> None:
    contact = make_mail_contact(session)
    account = session.get(Account, contact.account_id)
    for hours in (2, 3):
        make_touchpoint(
            session, account, contact_id=contact.id, occurred_at=NOW - timedelta(hours=hours)
        )
    completed_engagement(session, contact)
    surveys.run(session, settings, now=NOW)
    surveys.send_reminders(session, settings, now=NOW + timedelta(days=31))
    [survey] = all_surveys(session)
    assert (survey.status, survey.refusal) == ("refused", "pressure")


def test_an_on_demand_survey_refused_by_the_pressure_budget_says_so(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    contact = make_mail_contact(session, account)
    for hours in (2, 3):
        make_touchpoint(
            session, account, contact_id=contact.id, occurred_at=NOW - timedelta(hours=hours)
        )
    survey = surveys.send_on_demand(
        session,
        settings,
        account.id,
        contact_id=contact.id,
        kind=SurveyKind.CSAT,
        by=owner,
        now=NOW,
    )
    assert (survey.status, survey.refusal, survey.created_by_id) == (
        "refused",
        "pressure",
        owner.id,
    )


def test_one_reminder_after_the_wait_and_never_a_second(
    settings: Settings, session: Session
) -> None:
    survey, _token = make_survey(session, settings)
    wait = timedelta(days=settings.surveys_reminder_after_days)
    assert (
        surveys.send_reminders(session, settings, now=NOW + wait - timedelta(hours=1)).reminded == 0
    )
    assert surveys.send_reminders(session, settings, now=NOW + wait).reminded == 1
    assert surveys.send_reminders(session, settings, now=NOW + wait * 2).reminded == 0
    _invite, reminder = survey_mail(session)
    assert reminder.subject.startswith("Reminder:")
    assert "A few days ago we asked for your opinion" in reminder.text_body
    token = reminder.text_body.split("/c/survey/")[1].split()[0]
    link = resolve_link(session, token, purpose="survey", now=NOW + wait)
    assert link is not None and link.object_id == survey.id
    assert link.expires_at == survey.expires_at  # the reminder's link ends with the survey


def test_the_survey_e_mail_carries_the_manage_my_contributions_link_at_its_foot(
    settings: Settings, session: Session
) -> None:
    survey, _token = make_survey(session, settings)
    [invite] = survey_mail(session)
    assert "Manage my contributions" in invite.text_body
    token = invite.text_body.split(f"{settings.base_url}/c/manage/")[1].split()[0]
    assert f"/c/manage/{token}" in (invite.html_body or "")
    link = resolve_link(session, token, purpose="manage", now=NOW)
    assert link is not None and link.contact_id == survey.contact_id


def test_an_unanswered_survey_expires_with_its_link(settings: Settings, session: Session) -> None:
    _survey, token = make_survey(session, settings)
    later = NOW + timedelta(days=settings.client_link_days_survey)
    assert surveys.send_reminders(session, settings, now=later).expired == 1
    assert all_surveys(session)[0].status == "expired"
    with pytest.raises(LinkGone):
        answer_survey(session, token, 9, "", settings=settings, now=later)


def test_an_answer_becomes_a_client_touchpoint_and_consumes_the_link(
    settings: Settings, session: Session
) -> None:
    _survey, token = make_survey(session, settings)
    answered = answer_survey(session, token, 8, "  Solid work.  ", settings=settings, now=NOW)
    row = all_surveys(session)[0]
    assert (row.status, row.score, row.comment, row.answered_at) == (
        "answered",
        8,
        "Solid work.",
        NOW,
    )
    touchpoint = session.get(Touchpoint, row.touchpoint_id)
    assert touchpoint is not None
    assert (touchpoint.kind, touchpoint.initiative, touchpoint.contact_id) == (
        "survey",
        "client",
        row.contact_id,
    )
    assert touchpoint.summary == "NPS 8/10 (passive)"
    assert session.get(ClientLink, row.link_id).used_at == NOW  # type: ignore[union-attr]
    assert answered.testimonial_path == ""  # a passive is not invited
    with pytest.raises(AlreadyAnswered):
        answer_survey(session, token, 10, "again", settings=settings, now=NOW)
    assert all_surveys(session)[0].score == 8


@pytest.mark.parametrize(("score", "comment"), [(11, ""), (None, ""), (5, "x" * 2001)])
def test_a_bad_answer_is_refused_and_changes_nothing(
    settings: Settings, session: Session, score: int | None, comment: str
) -> None:
    _survey, token = make_survey(session, settings)
    with pytest.raises(AnswerRefused):
        answer_survey(session, token, score, comment, settings=settings, now=NOW)
    session.rollback()
    row = all_surveys(session)[0]
    assert (row.status, row.score) == ("sent", None)
    assert session.exec(select(Touchpoint)).all() == []


@pytest.mark.parametrize(("kind", "score"), [("nps", 6), ("csat", 2)])
def test_a_detractor_opens_a_repair_task_and_alerts_the_owner_at_once(
    settings: Settings, session: Session, kind: str, score: int
) -> None:
    owner = make_user(session, email="owner@firm.example", name="Olive", language="fr")
    account = make_account(session, owner=owner, name="Unhappy <b>Co</b>")
    _survey, token = make_survey(
        session, settings, kind=kind, owner=owner, account=account, full_name="Dana"
    )
    answer_survey(session, token, score, "Late <script>x</script>", settings=settings, now=NOW)
    [signal] = session.exec(select(JourneySignal)).all()
    assert (signal.kind, signal.owner_id, signal.account_id) == ("detractor", owner.id, account.id)
    [notice] = session.exec(
        select(OutboxMessage).where(OutboxMessage.template == "survey_detractor")
    ).all()
    assert (notice.to_email, notice.category, notice.language) == (
        "owner@firm.example",
        "transactional",
        "fr",
    )
    assert "Late &lt;script&gt;x&lt;/script&gt;" in notice.html_body
    assert "<script>" not in notice.html_body
    assert "Late <script>x</script>" in notice.text_body
    assert f"{settings.base_url}/accounts/{account.id}" in notice.text_body
    assert f"{kind.upper()} {score}" in notice.subject


def test_a_former_clients_camp_follows_the_evidence_and_a_bad_camp_is_do_not_ask(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner, stage=Stage.ACTIVE)
    account.stage = Stage.FORMER.value
    session.add(account)
    session.commit()
    contact = make_mail_contact(session, account)
    _first, token = make_survey(session, settings, owner=owner, account=account, contact=contact)
    answer_survey(session, token, 9, "", settings=settings, now=NOW)
    session.refresh(account)
    assert (account.camp, account.do_not_ask) == ("good", False)
    assert "survey evidence" in account.camp_reason

    later = NOW + timedelta(days=settings.surveys_per_contact_days)
    _second, token = make_survey(
        session, settings, owner=owner, account=account, contact=contact, now=later
    )
    answer_survey(session, token, 3, "It went wrong", settings=settings, now=later)
    session.refresh(account)
    assert (account.camp, account.do_not_ask) == ("bad", True)
    assert "latest NPS 3" in account.camp_reason


def test_a_promoter_gets_fresh_testimonial_and_referral_links_for_this_survey(
    settings: Settings, session: Session
) -> None:
    survey, token = make_survey(session, settings)
    answered = answer_survey(session, token, 10, "Great", settings=settings, now=NOW)
    assert answered.testimonial_path.startswith("/c/testimonial/new/")
    assert answered.referral_path.startswith("/c/referral/new/")
    for purpose, path in (
        ("testimonial", answered.testimonial_path),
        ("referral", answered.referral_path),
    ):
        link = resolve_link(session, path.rsplit("/", 1)[1], purpose=purpose, now=NOW)
        assert link is not None
        assert (link.object_type, link.object_id, link.contact_id) == (
            "survey",
            survey.id,
            survey.contact_id,
        )
    days = settings.client_link_days_testimonial
    assert (
        resolve_link(
            session,
            answered.testimonial_path.rsplit("/", 1)[1],
            purpose="testimonial",
            now=NOW + timedelta(days=days),
        )
        is None
    )


@pytest.mark.parametrize("why", ["bad_camp", "do_not_ask"])
def test_a_bad_camp_or_do_not_ask_account_gets_no_promoter_links(
    settings: Settings, session: Session, why: str
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    if why == "bad_camp":
        account.camp = "bad"
    account.do_not_ask = True
    session.add(account)
    session.commit()
    _survey, token = make_survey(session, settings, owner=owner, account=account)
    answered = answer_survey(session, token, 10, "", settings=settings, now=NOW)
    assert (answered.testimonial_path, answered.referral_path) == ("", "")
    purposes = {link.purpose for link in session.exec(select(ClientLink)).all()}
    # The e-mail's own links only; "manage" lets them withdraw, it asks for nothing.
    assert purposes == {"survey", "unsubscribe", "manage"}


def test_milestone_surveys_go_to_long_engagements_when_the_setting_is_on(
    settings: Settings, session: Session
) -> None:
    contact = make_mail_contact(session)
    make_engagement(
        session,
        session.get(Account, contact.account_id),
        status="active",
        start_date=NOW.date() - timedelta(days=95),
        contact_ids=[contact.id],
    )
    assert surveys.run(session, settings, now=NOW).sent == 0  # off by default
    monthly = replace(settings, surveys_milestone_every_days=30)
    assert surveys.run(session, monthly, now=NOW).sent == 1
    [survey] = all_surveys(session)
    assert (survey.kind, survey.trigger) == ("csat", "milestone")
    assert "on a scale from 1 to 5" in survey_mail(session)[0].text_body
