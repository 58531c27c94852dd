"""Apply an erasure to the rows found about a person (rules in domain/erasure.py). Flushes only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlmodel import Session, SQLModel

from advocacy.domain import erasure as rules
from advocacy.domain.campaigns import EnrolmentStatus, StopReason
from advocacy.repository.personal_data import Rows

WITHDRAWN = "withdrawn"


def erase_rows(session: Session, found: Rows, *, now: datetime) -> dict[str, int]:
    """Redact or delete every row in `found`; how many rows of each table were touched."""
    contact_ids = {row["id"] for row in found.get("contacts", [])}
    touched: dict[str, int] = {}
    for name, rows in found.items():
        table = SQLModel.metadata.tables[name]
        key = list(table.primary_key.columns)
        for row in rows:
            where = and_(*(column == row[column.name] for column in key))
            if name in rules.DELETE:
                session.execute(delete(table).where(where))
            else:
                changes = _changes(name, row, contact_ids, now)
                if not changes:
                    continue
                session.execute(update(table).where(where).values(**changes))
            touched[name] = touched.get(name, 0) + 1
    return touched


def _changes(
    name: str, row: dict[str, Any], contact_ids: set[int], now: datetime
) -> dict[str, Any]:
    changes = {
        column: rules.blanked(blank, row[column])
        for column, blank in rules.REDACT.get(name, {}).items()
        if column in row
    }
    if name == "referrals" and row.get("prospect_contact_id") in contact_ids:
        changes |= {
            column: rules.blanked(blank, None) for column, blank in rules.REFERRED_PERSON.items()
        }
    if name == "contacts":
        # Never scored again: the nightly recompute skips those who objected to profiling.
        changes["profiling_objected_at"] = row["profiling_objected_at"] or now
        changes["profiling_objected_via"] = row["profiling_objected_via"] or "erasure"
    if name == "testimonials" and row["status"] != WITHDRAWN:
        changes |= {"status": WITHDRAWN, "withdrawn_at": now, "updated_at": now}
    if name == "testimonial_permissions" and row["withdrawn_at"] is None:
        changes["withdrawn_at"] = now
    if name == "client_links" and (row["expires_at"] is None or row["expires_at"] > now):
        changes["expires_at"] = now
    if name == "nurture_enrolments" and row["status"] == EnrolmentStatus.ACTIVE.value:
        changes |= {
            "status": EnrolmentStatus.STOPPED.value,
            "stop_reason": StopReason.UNSUBSCRIBED.value,
        }
    return changes


def keep_suppressed(session: Session, emails: set[str], *, now: datetime) -> int:
    """Suppress every client-facing mail to these addresses for ever, by fingerprint only."""
    table = SQLModel.metadata.tables["suppressions"]
    added = 0
    for email in sorted(emails):
        value = rules.fingerprint(email)
        exists = session.execute(
            select(table.c.id).where(
                table.c.email == value, table.c.category == rules.SUPPRESSION_CATEGORY
            )
        ).first()
        if exists is None:
            session.execute(
                insert(table).values(
                    email=value,
                    category=rules.SUPPRESSION_CATEGORY,
                    reason=rules.SUPPRESSION_REASON,
                    source="",
                    created_at=now,
                )
            )
            added += 1
    return added


def redact_webhook_payloads(session: Session, values: list[str]) -> int:
    """Empty the stored bodies of webhook deliveries that quote any of `values`.

    A delivery not yet made is cancelled: what it would carry is what the person asked to erase.
    """
    table = SQLModel.metadata.tables["webhook_deliveries"]
    # Bodies are JSON with ASCII escapes: "Müller" is stored as "M\u00fcller".
    needles = sorted({form for value in values if value for form in (value, _json_text(value))})
    if not needles:
        return 0
    quoting = or_(*(table.c.payload.contains(needle, autoescape=True) for needle in needles))
    session.execute(
        update(table)
        .where(quoting, table.c.status.in_(("pending", "sending")))
        .values(status="failed", last_error="cancelled: the person was erased")
    )
    result = session.execute(update(table).where(quoting).values(payload="{}"))
    return int(getattr(result, "rowcount", 0) or 0)


def _json_text(value: str) -> str:
    return json.dumps(value)[1:-1]
