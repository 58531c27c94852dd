"""Check-in rows for the digest and calendar tests: open check-ins as generation writes them."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from advocacy.domain.cadence import CheckInKind, CheckInStatus
from advocacy.models import CheckIn, User
from tests.conftest import NOW
from tests.factories import make_account, make_contact

# A next line as generation stores it: "Clients in logistics who bought Tax often also bought
# Transfer pricing (7 of 12)." (line ids are made up: stored points are never joined to the catalogue)
TAX_LINE_ID, PRICING_LINE_ID = 11, 12
CO_BOUGHT_POINT: dict[str, Any] = {
    "service_line_id": PRICING_LINE_ID,
    "name": "Transfer pricing",
    "reason": {
        "kind": "co_bought",
        "industry": "logistics",
        "bought_line_id": TAX_LINE_ID,
        "share": 7 / 12,
        "count": 7,
        "out_of": 12,
    },
    "line_names": {str(TAX_LINE_ID): "Tax"},
}
CO_BOUGHT_EN = "Clients in logistics who bought Tax often also bought Transfer pricing (7 of 12)."
CO_BOUGHT_FR = (
    "Les clients du secteur logistics qui ont acheté Tax ont souvent aussi acheté Transfer "
    "pricing (7 sur 12)."
)


def make_check_in(
    session: Session,
    owner: User,
    *,
    due_on: date,
    account_name: str | None = None,
    contact_name: str | None = "Ann Example",
    kind: CheckInKind = CheckInKind.ROUTINE,
    status: CheckInStatus = CheckInStatus.OPEN,
    never_bought: tuple[str, ...] = ("Audit", "Tax advisory"),  # as check-ins before the ranking
    next_lines: tuple[dict[str, Any], ...] = (),  # as generation stores them now
    updated_at: datetime = NOW,
    **fields: Any,
) -> CheckIn:
    """A committed check-in on a new account owned by `owner` (with a contact unless None)."""
    account = make_account(session, owner=owner, **({"name": account_name} if account_name else {}))
    contact = make_contact(session, account, full_name=contact_name) if contact_name else None
    open_ = status is CheckInStatus.OPEN
    points: dict[str, Any] = {"bought": []}
    if never_bought:
        points["never_bought"] = list(never_bought)
    if next_lines:
        points["next_lines"] = list(next_lines)
    check_in = CheckIn(
        account_id=account.id,
        owner_id=owner.id,
        contact_id=contact.id if contact else None,
        kind=kind.value,
        rule="test",
        status=status.value,
        due_on=due_on,
        open_for_account_id=account.id if open_ else None,
        talking_points_json=json.dumps(points),
        created_at=NOW,
        updated_at=updated_at,
        closed_at=None if open_ else NOW,
        **fields,
    )
    session.add(check_in)
    session.commit()
    session.refresh(check_in)
    return check_in
