"""The nightly recompute of the advocacy scores, run as the jobs process runs it."""

from __future__ import annotations

from flask import Flask
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ContactScore
from jobs import runner
from jobs.cli import jobs_group
from tests.factories import make_account, make_contact


def test_the_nightly_scores_job_is_declared_and_catches_up_at_start(app: Flask) -> None:
    specs = {spec.id: spec for spec in runner.specs(app)}
    assert specs["scores.recompute"].catch_up


def test_running_the_scores_job_scores_every_contact(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        account = make_account(session)
        contact = make_contact(session, account)
    result = app.test_cli_runner().invoke(jobs_group, ["run-once", "scores.recompute"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = list(db_session().exec(select(ContactScore.contact_id)))
    assert rows == [contact.id]
