"""Retention: old e-mail content and former clients' comments are emptied, the rest untouched."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session

from advocacy.db import db_session
from advocacy.domain.journey import Stage
from advocacy.domain.retention import RetentionPolicy
from advocacy.models import Account, OutboxMessage, Survey
from advocacy.services.privacy.retention import apply_retention
from jobs import runner
from tests.conftest import NOW
from tests.factories import make_sent_message, make_survey

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
