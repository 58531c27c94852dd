"""The `advocacy` command: users, first run, demo, awareness and score rebuilds, database."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import select

from advocacy import migrate
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.demo import loader
from advocacy.models import Contact, ContactScore, User
from tests.factories import PASSWORD, make_account, make_contact, make_user, sign_in


def _users(app: Flask) -> list[User]:
    with app.app_context():
        return list(db_session().exec(select(User)))


def test_users_create_reads_the_password_from_stdin_and_the_user_can_sign_in(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Ana@Firm.example", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created ana@firm.example (admin) with a password" in result.output
    assert sign_in(app.test_client(), "ana@firm.example").status_code == 302


def test_users_create_refuses_a_bad_email_and_creates_nothing(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "not-an-email", "--role", "admin"]
    )
    assert result.exit_code != 0
    assert "Not a valid e-mail address" in result.output
    assert _users(app) == []


def test_users_create_refuses_an_unknown_role(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create", "a@firm.example", "--role", "x"])
    assert result.exit_code != 0 and "x" in result.output
    assert _users(app) == []


def test_first_run_prints_the_admin_password_once_then_keeps_the_data(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["first-run"])
    assert first.exit_code == 0, first.output
    password = next(
        line.split(":", 1)[1].strip() for line in first.output.splitlines() if "password:" in line
    )
    assert sign_in(app.test_client(), "admin@example.com", password).status_code == 302
    second = runner.invoke(args=["first-run"])
    assert password not in second.output and "Existing data kept" in second.output
    assert len(_users(app)) == 1 + len(loader.DEMO_STAFF)


def test_set_password_lets_a_locked_out_admin_back_in(app: Flask) -> None:
    runner = app.test_cli_runner()
    with app.app_context():  # an admin whose password nobody knows any more
        make_user(db_session(), role="admin", email="admin@example.com", password="forgotten-1234")
    assert sign_in(app.test_client(), "admin@example.com").status_code != 302
    result = runner.invoke(
        args=["users", "set-password", "admin@example.com", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "admin@example.com").status_code == 302


def test_db_current_shows_the_head(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["db", "current"])
    assert result.exit_code == 0
    head = migrate.head_revisions("sqlite://")[0]
    assert f"current: {head}" in result.output


def test_the_demo_loads_once_and_awareness_and_scores_are_rebuilt_over_it(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "demo: 60 accounts created" in first.output
    second = runner.invoke(args=["demo", "--size", "small"])
    assert "demo: 60 accounts already there" in second.output
    assert "created" not in second.output

    awareness = runner.invoke(args=["awareness", "rebuild"])
    assert awareness.exit_code == 0, awareness.output
    assert "awareness: rebuilding from engagements, touchpoints and mail events" in awareness.output
    assert re.search(
        r"awareness: [1-9]\d* contact records, [1-9]\d* account records", awareness.output
    )

    scored = runner.invoke(args=["scores", "recompute"])
    assert scored.exit_code == 0, scored.output
    with app.app_context():
        contacts = len(list(db_session().exec(select(Contact.id))))
        scores = len(list(db_session().exec(select(ContactScore.contact_id))))
    assert f"scores: {contacts} contacts scored" in scored.output
    assert scores == contacts > 0


def test_scores_replay_snapshots_every_contact_at_each_past_quarter(app: Flask) -> None:
    from advocacy.models import ScoreSnapshot

    with app.app_context():
        session = db_session()
        make_contact(session, make_account(session))
    result = app.test_cli_runner().invoke(args=["scores", "replay", "--quarters", "2"])
    assert result.exit_code == 0, result.output
    assert "scores: 2 snapshots over 2 past quarters" in result.output
    with app.app_context():
        days = {row.day for row in db_session().exec(select(ScoreSnapshot))}
    assert len(days) == 2 and all(day < utcnow().date() for day in days)
