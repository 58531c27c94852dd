"""Retention: old e-mail content and former clients' comments are emptied, inactive prospects
erased, the rest untouched."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from advocacy.db import db_session
from advocacy.domain.erasure import ERASED_NAME
from advocacy.domain.journey import Stage
from advocacy.domain.retention import RetentionPolicy
from advocacy.models import Account, AuditEntry, Contact, MailEvent, OutboxMessage, Survey
from advocacy.repository.journey import get_person
from advocacy.repository.mail import suppressed_categories
from advocacy.services.privacy.retention import apply_retention
from jobs import runner
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_mail_contact,
    make_sent_message,
    make_survey,
    make_touchpoint,
)
from tests.factories_referrals import make_survey as make_answered_survey

POLICY = RetentionPolicy(mail_content_days=730, former_survey_comments_days=1095)


def _answered(session: Session, app: Flask, *, stage: Stage, days_ago: int) -> int:
    survey, _token = make_survey(session, app.config["ADVOCACY"])
    survey.answered_at = NOW - timedelta(days=days_ago)
    survey.score, survey.comment = 9, f"They were great ({stage}, {days_ago} days)"
    account = session.get(Account, survey.account_id)
    assert account is not None
    account.stage = stage.value
    session.commit()
    return int(survey.id)


def test_old_content_is_emptied_and_what_proves_or_counts_stays(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        old = make_sent_message(session, queued_at=NOW - timedelta(days=731), subject="Old news")
        recent = make_sent_message(session, queued_at=NOW - timedelta(days=729))
        waiting = make_sent_message(
            session, status="queued", queued_at=NOW - timedelta(days=800), subject="Still to go"
        )
        former_old = _answered(session, app, stage=Stage.FORMER, days_ago=1100)
        former_recent = _answered(session, app, stage=Stage.FORMER, days_ago=1000)
        active_old = _answered(session, app, stage=Stage.ACTIVE, days_ago=1100)

        report = apply_retention(session, POLICY, now=NOW)
        again = apply_retention(session, POLICY, now=NOW)

        session.expire_all()
        emptied = session.get(OutboxMessage, old.id)
        assert emptied is not None
        assert (emptied.subject, emptied.text_body, emptied.html_body) == ("", "", "")
        assert (emptied.to_email, emptied.status, emptied.sent_at) == (
            old.to_email, "sent", old.sent_at,
        )  # fmt: skip
        assert session.get(OutboxMessage, recent.id).text_body != ""  # type: ignore[union-attr]
        assert session.get(OutboxMessage, waiting.id).subject == "Still to go"  # type: ignore[union-attr]
        comments = {
            sid: session.get(Survey, sid) for sid in (former_old, former_recent, active_old)
        }
        assert comments[former_old].comment == ""  # type: ignore[union-attr]
        assert comments[former_old].score == 9  # type: ignore[union-attr]
        assert comments[former_recent].comment != ""  # type: ignore[union-attr]
        assert comments[active_old].comment != ""  # type: ignore[union-attr]
    # The survey e-mails themselves are recent; only the old message lost its content.
    assert (report.mail_messages, report.survey_comments) == (1, 1)
    assert (again.mail_messages, again.survey_comments) == (0, 0)


def test_zero_days_keeps_everything(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        old = make_sent_message(session, queued_at=NOW - timedelta(days=5000))
        report = apply_retention(
            session, RetentionPolicy(mail_content_days=0, former_survey_comments_days=0), now=NOW
        )
        session.expire_all()
        assert report.mail_messages == 0
        assert session.get(OutboxMessage, old.id).text_body != ""  # type: ignore[union-attr]


def test_the_nightly_job_applies_the_settings(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(retention_mail_content_days=1)
    with app.app_context():
        old = make_sent_message(db_session(), queued_at=NOW - timedelta(days=400))
    runner.run_once(app, "privacy.retention")
    with app.app_context():
        assert db_session().get(OutboxMessage, old.id).text_body == ""  # type: ignore[union-attr]


# Inactive prospects: erased through the erasure service once nobody has heard from them.
PROSPECTS = RetentionPolicy(0, 0, inactive_prospects_days=365)
LONG_AGO = NOW - timedelta(days=400)


def _prospect(session: Session, name: str, **account: Any) -> Contact:
    """A person at a prospect account (unless told), both added 400 days before NOW."""
    company = make_account(session, name=f"{name} Ltd", **account)
    contact = make_mail_contact(session, company, full_name=name, email=f"{name.lower()}@x.example")
    _age(session, contact)
    return contact


def _age(session: Session, contact: Contact) -> None:
    contact.created_at = contact.updated_at = LONG_AGO
    company = session.get(Account, contact.account_id)
    assert company is not None
    company.created_at = company.updated_at = company.stage_since = LONG_AGO
    session.commit()


def _erased(session: Session, contact: Contact) -> bool:
    session.expire_all()
    return get_person(session, contact.person_id).full_name == ERASED_NAME


def _event(session: Session, contact: Contact, event: str, days_ago: int) -> None:
    message = make_sent_message(
        session, contact_id=contact.id, to_email=contact.email, queued_at=LONG_AGO
    )
    at = NOW - timedelta(days=days_ago)
    session.add(
        MailEvent(
            provider_event_id=f"ev-{event}-{contact.id}",
            message_id=message.id,
            event=event,
            email=contact.email or "",
            payload_json="{}",
            occurred_at=at,
            received_at=at,
        )
    )
    session.commit()


def test_prospects_not_heard_from_are_erased_and_any_sign_of_life_keeps_one(
    session: Session,
) -> None:
    silent = _prospect(session, "Silent")
    called = _prospect(session, "Called")
    make_touchpoint(
        session,
        session.get(Account, called.account_id),
        contact_id=called.id,
        occurred_at=NOW - timedelta(days=30),
    )
    met_company = _prospect(session, "Company")  # a meeting with the company, nobody named
    make_touchpoint(session, session.get(Account, met_company.account_id))
    proposed = _prospect(session, "Proposed")
    make_engagement(session, session.get(Account, proposed.account_id), status="proposed")
    edited = _prospect(session, "Edited")
    edited.updated_at = NOW - timedelta(days=1)
    opened = _prospect(session, "Opened")
    _event(session, opened, "open", days_ago=3)
    delivered = _prospect(session, "Delivered")  # the firm wrote; they never answered
    _event(session, delivered, "delivered", days_ago=3)
    answered = _prospect(session, "Answered")  # they answered a survey lately
    survey = make_answered_survey(session, answered, score=8, answered_at=NOW - timedelta(days=10))
    survey.created_at = LONG_AGO  # sent long ago: the answer is what counts
    session.commit()
    reclassified = _prospect(session, "Reclassified")  # their account's stage changed lately
    account_of = session.get(Account, reclassified.account_id)
    assert account_of is not None
    account_of.stage_since = NOW - timedelta(days=20)
    client = _prospect(session, "Client", stage="active")
    moved = _prospect(session, "Moved")  # once at a client, now at a prospect: not a prospect
    before = make_contact(
        session, make_account(session, name="Former employer", stage="former"), full_name="Moved"
    )
    before.person_id = moved.person_id
    _age(session, before)
    for contact in (called, met_company, proposed, opened, delivered, answered, client, moved):
        session.refresh(contact)
        assert contact.updated_at == LONG_AGO, contact.id  # activity left the contact alone

    report = apply_retention(session, PROSPECTS, now=NOW)

    looked_at = {c.id for c in (silent, called, met_company, proposed, edited, opened, delivered)}
    looked_at |= {answered.id, reclassified.id, client.id, moved.id}
    assert {cid for cid in looked_at if _erased(session, session.get(Contact, cid))} == {
        silent.id,
        delivered.id,
    }
    assert report.prospects_erased == 2
    # Exactly a requested erasure: the address stays only as a fingerprint, so no import or
    # mail brings them back; the log has one entry per person, naming nobody.
    assert "all" in suppressed_categories(session, "silent@x.example")
    assert session.get(Contact, silent.id).email is None  # type: ignore[union-attr]
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erased")).all()
    assert sorted(e.subject_id for e in entries) == sorted([silent.person_id, delivered.person_id])

    again = apply_retention(session, PROSPECTS, now=NOW)
    assert again.prospects_erased == 0  # the erased are not erased twice


def test_zero_days_keeps_every_prospect(session: Session) -> None:
    silent = _prospect(session, "Forgotten")
    report = apply_retention(session, RetentionPolicy(0, 0, 0), now=NOW + timedelta(days=9000))
    assert report.prospects_erased == 0 and not _erased(session, silent)


def test_the_nightly_job_erases_inactive_prospects_by_the_setting(app_factory: Any) -> None:
    app = app_factory(retention_inactive_prospects_days=300)
    with app.app_context():
        session = db_session()
        silent = _prospect(session, "Nightly")
        kept = _prospect(session, "Kept", stage="active")
    runner.run_once(app, "privacy.retention")
    with app.app_context():
        session = db_session()
        assert _erased(session, silent) and not _erased(session, kept)
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erased")).one()
        assert (entry.actor_kind, entry.actor_label) == ("job", "privacy.retention")
