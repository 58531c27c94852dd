"""The audit log as CSV: the filtered entries, safe to open in a spreadsheet, and a record that
someone took them away."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo

from sqlmodel import Session

from advocacy.domain.audit import Action
from advocacy.domain.csv_import import neutralise_cell
from advocacy.models import AuditEntry, User
from advocacy.repository import audit
from advocacy.repository.read_models import audit_log
from advocacy.repository.read_models.audit_log import AuditFilter

COLUMNS = (
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "address",
    "action",
    "subject_type",
    "subject_id",
    "details",
)


def _described(wanted: AuditFilter) -> str:
    named = {
        "action": wanted.action.value if wanted.action else "",
        "actor_kind": wanted.actor_kind.value if wanted.actor_kind else "",
        "actor": wanted.actor.strip(),
        "subject_type": wanted.subject_type,
        "subject_id": "" if wanted.subject_id is None else str(wanted.subject_id),
        "since": wanted.since.isoformat() if wanted.since else "",
        "until": wanted.until.isoformat() if wanted.until else "",
    }
    return " ".join(f"{name}={value}" for name, value in named.items() if value)


def record_export(
    session: Session, wanted: AuditFilter, *, by: User, zone: tzinfo, now: datetime
) -> int:
    """Note in the log itself that `by` exported it (with the filters); returns the row count."""
    rows = audit_log.count_entries(session, wanted, zone=zone)
    audit.record(
        session,
        Action.AUDIT_EXPORTED,
        actor=audit.user_actor(by),
        details={"rows": rows, "filters": _described(wanted)},
        now=now,
    )
    session.commit()
    return rows


def _cells(entry: AuditEntry) -> list[str]:
    values = (
        entry.occurred_at.isoformat(),
        entry.actor_kind,
        "" if entry.actor_id is None else str(entry.actor_id),
        entry.actor_label,
        entry.address or "",
        entry.action,
        entry.subject_type,
        "" if entry.subject_id is None else str(entry.subject_id),
        entry.details_json,
    )
    # Labels come from what people typed (a failed sign-in's address): never a formula.
    return [neutralise_cell(value) for value in values]


def export_rows(session: Session, wanted: AuditFilter, *, zone: tzinfo) -> Iterator[Sequence[str]]:
    """The header, then one neutralised row per entry the filter keeps, newest first."""
    yield COLUMNS
    for entry in audit_log.all_entries(session, wanted, zone=zone):
        yield _cells(entry)
