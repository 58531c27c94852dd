"""The "checkins.digest" job queues each account manager's digest through the jobs command, and
running it again the same day queues nothing more."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import OutboxMessage
from jobs.cli import jobs_group
from tests.factories import make_user
from tests.factories_checkins import make_check_in


def test_run_once_queues_the_digest_once_a_day(app: Flask) -> None:
    with app.app_context():
        ann = make_user(db_session(), email="ann@firm.example")
        # Two days back is overdue in every time zone, whatever the clock says when this runs.
        make_check_in(db_session(), ann, due_on=utcnow().date() - timedelta(days=2))
    for _ in range(2):
        result = app.test_cli_runner().invoke(jobs_group, ["run-once", "checkins.digest"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        messages = db_session().exec(select(OutboxMessage)).all()
        assert [(m.template, m.to_email) for m in messages] == [
            ("check_in_digest", "ann@firm.example")
        ]
