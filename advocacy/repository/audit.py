"""The audit log's writes: an entry added in the caller's transaction, and the retention purge.

An entry commits or rolls back with the change it describes. Reading the log for the admin page
is in `read_models/audit_log.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from advocacy import audit_context
from advocacy.clock import utcnow
from advocacy.domain.audit import (
    Action,
    Actor,
    ActorKind,
    Detail,
    checked_details,
    through_token,
)
from advocacy.models import AuditEntry, User


def user_actor(user: User) -> Actor:
    """A staff member as the actor of an entry, under the e-mail they have today."""
    return Actor(ActorKind.USER, user.id, user.email)


def user_subject(user: User) -> tuple[str, int | None]:
    return ("user", user.id)


def record(
    session: Session,
    action: Action,
    *,
    actor: Actor | None = None,
    subject: tuple[str, int | None] | None = None,
    details: Mapping[str, Detail] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add one entry; the actor defaults to the one of the current request, job or command."""
    origin = audit_context.current()
    who = actor or origin.actor
    if (
        actor is not None
        and actor.kind is ActorKind.USER
        and origin.actor.kind is ActorKind.TOKEN
        and actor.id is not None
        and actor.id == origin.token_user_id
    ):
        # The service names the user; the request came with one of their tokens: say which.
        who = through_token(origin.actor, actor)
    subject_type, subject_id = subject or ("", None)
    entry = AuditEntry(
        occurred_at=now or utcnow(),
        actor_kind=who.kind.value,
        actor_id=who.id,
        actor_label=who.label,
        address=origin.address,
        action=action.value,
        subject_type=subject_type,
        subject_id=subject_id,
        details_json=json.dumps(checked_details(action, details or {}), sort_keys=True),
    )
    session.add(entry)
    return entry


def purge_before(session: Session, cutoff: datetime) -> int:
    """Delete the entries older than `cutoff`; on PostgreSQL the table's trigger lets exactly
    these through, for this transaction only."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(  # type: ignore[call-overload]
            text("SELECT set_config('advocacy.audit_purge_before', :cutoff, true)"),
            params={"cutoff": cutoff.isoformat()},
        )
    count = session.exec(
        select(func.count()).select_from(AuditEntry).where(col(AuditEntry.occurred_at) < cutoff)
    ).one()
    if count:
        session.exec(delete(AuditEntry).where(col(AuditEntry.occurred_at) < cutoff))
    return int(count)
