"""What a nurture run writes, in bulk: new enrolments, stops, step records, enrolments moved on.

Statements per chunk of contacts, not per contact. Enrolments are unique per campaign, contact and
occurrence and step records per enrolment and position: a repeated write (a run after a crash)
changes nothing that was done. Add and flush only; the run commits each chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from advocacy.domain.campaigns import (
    Enrolled,
    EnrolmentStatus,
    HeldBack,
    PlannedSend,
    StepOutcome,
    Stopped,
    StopReason,
)
from advocacy.models import Enrolment, StepRecord


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_enrolments(
    session: Session, campaign_id: int, enrolled: Sequence[Enrolled], *, now: datetime
) -> None:
    """Enrol these contacts (one statement); an enrolment written already stays as it is."""
    if not enrolled:
        return
    rows = [
        {
            "campaign_id": campaign_id,
            "contact_id": item.contact_id,
            "account_id": item.account_id,
            "occurrence": item.occurrence,
            "enrolled_at": now,
            "next_position": item.next_position,
            "next_due_at": item.next_due_at,
            "status": EnrolmentStatus.ACTIVE.value,
        }
        for item in enrolled
    ]
    statement = _insert(session, Enrolment).on_conflict_do_nothing(
        index_elements=["campaign_id", "contact_id", "occurrence"]
    )
    session.execute(statement, rows)
    session.flush()


def active_enrolments(
    session: Session, campaign_id: int, contact_ids: Iterable[int]
) -> dict[int, Enrolment]:
    """The active enrolment of each of these contacts in the campaign (one statement), locked
    until the commit on PostgreSQL (SQLite's single writer serialises runs already)."""
    wanted = sorted(set(contact_ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(Enrolment)
        .where(
            Enrolment.campaign_id == campaign_id,
            col(Enrolment.contact_id).in_(wanted),
            Enrolment.status == EnrolmentStatus.ACTIVE.value,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.contact_id: row for row in rows}


def _end(row: Enrolment, reason: StopReason, now: datetime) -> None:
    completed = reason is StopReason.COMPLETED
    row.status = (EnrolmentStatus.COMPLETED if completed else EnrolmentStatus.STOPPED).value
    row.stop_reason = reason.value
    row.stopped_at = now
    row.next_position = None
    row.next_due_at = None


def stop(rows: dict[int, Enrolment], stopped: Sequence[Stopped], *, now: datetime) -> None:
    """End the enrolments of the contacts who leave (a completed one ends as completed)."""
    for item in stopped:
        row = rows.get(item.contact_id)
        if row is not None:
            _end(row, item.reason, now)


def _reason_json(send: PlannedSend) -> str:
    return json.dumps(dict(send.reason), sort_keys=True, default=str)


def _record_row(
    enrolment_id: int,
    campaign_id: int,
    position: int,
    kind: str,
    outcome: StepOutcome,
    at: datetime,
    **what: Any,
) -> dict[str, Any]:
    """One step record's columns: what was done, or why it was held (the rest empty)."""
    return {
        "enrolment_id": enrolment_id,
        "campaign_id": campaign_id,
        "position": position,
        "kind": kind,
        "outcome": outcome.value,
        "outbox_message_id": None,
        "service_line_id": None,
        "content_item_id": None,
        "reason_json": "{}",
        "held_reason": None,
        "held_detail": "",
        "held_until": None,
        "at": at,
        **what,
    }


def record(
    session: Session,
    campaign_id: int,
    rows: dict[int, Enrolment],
    done: Sequence[tuple[PlannedSend, int | None]],
    held: Sequence[HeldBack],
    *,
    now: datetime,
) -> None:
    """Record the steps done (and move their enrolments on) and the steps held back."""
    values: list[dict[str, Any]] = []
    for send, message_id in done:
        row = rows.get(send.contact_id)
        if row is None or row.id is None:
            continue
        values.append(
            _record_row(
                row.id,
                campaign_id,
                send.step_position,
                send.kind.value,
                StepOutcome.DONE,
                now,
                outbox_message_id=message_id,
                service_line_id=send.service_line_id,
                content_item_id=send.content_item_id,
                reason_json=_reason_json(send),
            )
        )
        if send.next_position is None and (send.next_due_at is None or send.next_due_at <= now):
            _end(row, StopReason.COMPLETED, now)
        else:
            row.next_position, row.next_due_at = send.next_position, send.next_due_at
    for item in held:
        row = rows.get(item.contact_id)
        if row is None or row.id is None:
            continue
        values.append(
            _record_row(
                row.id,
                campaign_id,
                item.step_position,
                item.kind.value if item.kind else "",
                StepOutcome.HELD,
                now,
                held_reason=item.reason.value,
                held_detail=item.detail[:300],
                held_until=item.until,
            )
        )
    session.flush()  # the enrolments moved on
    if not values:
        return
    statement = _insert(session, StepRecord)
    # A held record becomes done when the step finally goes; a done record never changes.
    statement = statement.on_conflict_do_update(
        index_elements=["enrolment_id", "position"],
        set_={
            name: getattr(statement.excluded, name)
            for name in (
                "kind",
                "outcome",
                "outbox_message_id",
                "service_line_id",
                "content_item_id",
                "reason_json",
                "held_reason",
                "held_detail",
                "held_until",
                "at",
            )
        },
        where=col(StepRecord.outcome) == StepOutcome.HELD.value,
    )
    session.execute(statement, values)
    session.flush()
