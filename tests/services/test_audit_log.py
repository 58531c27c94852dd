"""The audit recorder, its append-only table and its retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, col, select

from advocacy import audit_context
from advocacy.domain.audit import Action, ActorKind, checked_details, command_line_actor, job_actor
from advocacy.domain.identity import IdentityError
from advocacy.models import AuditEntry
from advocacy.repository import audit
from advocacy.services.access import identity, tokens
from advocacy.services.audit.retention import purge_expired
from tests.factories import make_user


def _entries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


def _entry_at(session: Session, at: datetime) -> AuditEntry:
    entry = audit.record(session, Action.SIGN_OUT, now=at)
    session.commit()
    return entry


def test_an_entry_rolls_back_with_the_change_it_describes(session: Session, now: datetime) -> None:
    audit.record(session, Action.SIGN_OUT, now=now)
    session.rollback()
    assert _entries(session) == []


def test_the_actor_comes_from_the_job_or_command_that_runs(session: Session, now: datetime) -> None:
    user = make_user(session)
    with audit_context.acting(command_line_actor("advocacy tokens create")):
        issued = tokens.create_token(session, user.id or 0, ["read"], now=now, name="CRM")
    with audit_context.acting(job_actor("nightly")):
        tokens.revoke_token(session, issued.token.prefix, now=now)
    created, revoked = _entries(session)
    assert (created.action, created.actor_kind, created.actor_label) == (
        "token.created",
        "command_line",
        "advocacy tokens create",
    )
    assert created.subject_id == issued.token.id and issued.secret not in created.details_json
    assert (revoked.action, revoked.actor_kind, revoked.actor_label) == (
        "token.revoked",
        "job",
        "nightly",
    )
    assert created.address is None


def test_a_refused_change_records_nothing(session: Session, now: datetime) -> None:
    admin = make_user(session, role="admin")
    with pytest.raises(IdentityError):
        identity.change_role(session, admin.id or 0, "marketing", by=admin)
    with pytest.raises(IdentityError):
        identity.invite_user(session, "not an address", "marketing", name="", by=admin, now=now)
    assert _entries(session) == []


def test_details_refuse_what_an_action_may_not_carry() -> None:
    with pytest.raises(ValueError, match="password"):
        checked_details(Action.SIGN_IN_FAILED, {"password": "hunter2"})
    assert checked_details(Action.SIGN_IN, {"method": "x" * 500}) == {"method": "x" * 200}


def test_the_database_refuses_to_change_an_entry(session: Session, now: datetime) -> None:
    entry = _entry_at(session, now)
    with pytest.raises(DatabaseError):
        session.exec(  # type: ignore[call-overload]
            text("UPDATE audit_entries SET actor_label = 'someone else' WHERE id = :id"),
            params={"id": entry.id},
        )
        session.commit()
    session.rollback()
    assert _entries(session)[0].actor_label == "system"


def test_on_postgresql_a_recent_entry_cannot_be_deleted_or_truncated(
    session: Session, now: datetime
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite triggers cannot tell the retention job from anyone else")
    _entry_at(session, now)
    for statement in ("DELETE FROM audit_entries", "TRUNCATE audit_entries"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.exec(text(statement))  # type: ignore[call-overload]
            session.commit()
        session.rollback()
    assert len(_entries(session)) == 1


def test_retention_removes_only_entries_past_it(session: Session, now: datetime) -> None:
    old = _entry_at(session, now - timedelta(days=731))
    kept = _entry_at(session, now - timedelta(days=729))
    assert purge_expired(session, days=730, now=now) == 1
    remaining = _entries(session)
    assert [entry.id for entry in remaining][:1] == [kept.id]
    assert old.id not in {entry.id for entry in remaining}
    [purged] = [entry for entry in remaining if entry.action == "audit.purged"]
    assert purged.details_json.startswith('{"before"') and '"entries": 1' in purged.details_json
    assert purge_expired(session, days=730, now=now) == 0


def test_sign_in_failures_commit_on_their_own(session: Session, now: datetime) -> None:
    user = make_user(session, email="ana@firm.example", active=False)
    with pytest.raises(identity.SignInRefused):
        identity.authenticate(session, "ana@firm.example", "correct horse battery staple", now=now)
    [entry] = _entries(session)
    assert (entry.action, entry.actor_kind, entry.actor_id) == (
        "sign_in.failed",
        ActorKind.USER.value,
        user.id,
    )
    assert '"reason": "deactivated"' in entry.details_json
