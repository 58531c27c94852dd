"""Query helpers for the open check-ins people are reminded of: the daily digest and the calendar feed.

One query per call whatever the number of owners: the account and the contact's name come joined,
the talking points decoded, so the callers only sort and render.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from advocacy.domain.cadence import CheckInStatus
from advocacy.domain.talking_points import NextLinePoint, next_lines_from_data
from advocacy.models import Account, CheckIn, Contact, Person


@dataclass(frozen=True)
class OpenCheckIn:
    """An open check-in as reminders show it."""

    id: int
    owner_id: int
    account_id: int
    account_name: str
    contact_name: str
    kind: str
    due_on: date
    updated_at: datetime
    next_lines: tuple[NextLinePoint, ...] = ()
    never_bought: tuple[str, ...] = ()  # only in check-ins generated before the ranking
    open_engagements: tuple[str, ...] = ()


def open_check_ins_of(
    session: Session, owner_ids: Sequence[int], *, due_by: date | None = None
) -> dict[int, list[OpenCheckIn]]:
    """Open check-ins per owner, earliest due first (only those due by `due_by` when given)."""
    if not owner_ids:
        return {}
    query = (
        select(CheckIn, Account.name, Person.full_name)
        .join(Account, col(Account.id) == CheckIn.account_id)
        .outerjoin(Contact, col(Contact.id) == CheckIn.contact_id)
        .outerjoin(Person, col(Person.id) == Contact.person_id)
        .where(
            col(CheckIn.owner_id).in_(owner_ids),
            CheckIn.status == CheckInStatus.OPEN.value,
        )
        .order_by(col(CheckIn.due_on), col(CheckIn.id))
    )
    if due_by is not None:
        query = query.where(col(CheckIn.due_on) <= due_by)
    found: dict[int, list[OpenCheckIn]] = defaultdict(list)
    for check_in, account_name, contact_name in session.exec(query):
        assert check_in.id is not None and check_in.owner_id is not None
        points = _points(check_in.talking_points_json)
        found[check_in.owner_id].append(
            OpenCheckIn(
                id=check_in.id,
                owner_id=check_in.owner_id,
                account_id=check_in.account_id,
                account_name=account_name,
                contact_name=contact_name or "",
                kind=check_in.kind,
                due_on=check_in.due_on,
                updated_at=check_in.updated_at,
                next_lines=tuple(next_lines_from_data(points.get("next_lines"))),
                never_bought=_strings(points.get("never_bought")),
                open_engagements=_strings(points.get("open_engagements")),
            )
        )
    return dict(found)


def _points(raw: str) -> dict[str, object]:
    # Written by generation as a JSON object; an unreadable value must not stop a reminder.
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, str) and item)
