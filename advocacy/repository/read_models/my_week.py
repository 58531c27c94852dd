"""Read models for the check-in pages: an account manager's open check-ins, one check-in with its
people, an account's check-ins, coverage gaps across a portfolio and the team's records.
Queries only: nothing here writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from advocacy.domain.cadence import CheckInStatus, TalkingPoints
from advocacy.domain.people import CoverageGap
from advocacy.domain.talking_points import next_lines_from_data
from advocacy.models import Account, CheckIn, Contact, Person, User
from advocacy.repository import get_row, journey
from advocacy.repository.read_models.firm_home import gapped_accounts

# The account page shows this many closed check-ins: enough to see the rhythm, not a history.
CLOSED_SHOWN: Final = 5


@dataclass(frozen=True)
class CheckInRow:
    """A check-in with what its pages show next to it: the account, the person, the points."""

    check_in: CheckIn
    account_name: str
    contact_name: str = ""
    contact_title: str = ""
    points: TalkingPoints = field(default_factory=TalkingPoints)


@dataclass(frozen=True)
class CheckInPage:
    """One check-in, its account and the people around it."""

    row: CheckInRow
    account: Account
    team_user_ids: set[int]
    owner: User | None
    closed_by: User | None


@dataclass(frozen=True)
class AccountGaps:
    account_id: int
    account_name: str
    gaps: list[CoverageGap]


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _tuples(value: Any, size: int) -> list[tuple[str, ...]]:
    if not isinstance(value, list):
        return []
    return [
        tuple(str(part) for part in item)
        for item in value
        if isinstance(item, list) and len(item) == size
    ]


def points_of(stored: str) -> TalkingPoints:
    """The talking points stored with a check-in; nothing when the stored text is unreadable."""
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        return TalkingPoints()
    if not isinstance(data, dict):
        return TalkingPoints()
    return TalkingPoints(
        next_lines=next_lines_from_data(data.get("next_lines")),
        never_bought=_strings(data.get("never_bought")),
        bought=_strings(data.get("bought")),
        open_engagements=_strings(data.get("open_engagements")),
        recent=_tuples(data.get("recent"), 3),  # type: ignore[arg-type]
        moved=_tuples(data.get("moved"), 2),  # type: ignore[arg-type]
        retired=_strings(data.get("retired")),
        problem=_strings(data.get("problem")),
        feedback=_tuples(data.get("feedback"), 4),  # type: ignore[arg-type]
        concerns=_strings(data.get("concerns")),
    )


def _rows(session: Session, check_ins: Sequence[CheckIn]) -> list[CheckInRow]:
    account_ids = {c.account_id for c in check_ins}
    contact_ids = {c.contact_id for c in check_ins if c.contact_id}
    names: dict[int, str] = {}
    if account_ids:
        query = select(Account.id, Account.name).where(col(Account.id).in_(account_ids))
        names = {
            account_id: name
            for account_id, name in session.exec(query)
            if account_id is not None  # a primary key: never None once read
        }
    people: dict[int, tuple[str, str]] = {}
    if contact_ids:
        for contact_id, full_name, title in session.exec(
            select(Contact.id, Person.full_name, Contact.title)
            .join(Person, col(Person.id) == Contact.person_id)
            .where(col(Contact.id).in_(contact_ids))
        ):
            if contact_id is not None:  # a primary key: never None once read
                people[contact_id] = (full_name, title or "")
    rows = []
    for check_in in check_ins:
        name, title = people.get(check_in.contact_id or 0, ("", ""))
        rows.append(
            CheckInRow(
                check_in,
                names.get(check_in.account_id, ""),
                name,
                title,
                points_of(check_in.talking_points_json),
            )
        )
    return rows


def open_check_ins_of(session: Session, owner_id: int, *, through: date) -> list[CheckInRow]:
    """A user's open check-ins due on or before `through` (overdue ones included), soonest first."""
    query = (
        select(CheckIn)
        .where(
            CheckIn.owner_id == owner_id,
            CheckIn.status == CheckInStatus.OPEN.value,
            CheckIn.due_on <= through,
        )
        .order_by(col(CheckIn.due_on), col(CheckIn.id))
    )
    return _rows(session, list(session.exec(query)))


def check_in_page(session: Session, check_in_id: int) -> CheckInPage:
    """One check-in with its account, team, owner and closer. Raises NotFound."""
    check_in = get_row(session, CheckIn, check_in_id)
    account = journey.get_account(session, check_in.account_id)
    (row,) = _rows(session, [check_in])
    return CheckInPage(
        row=row,
        account=account,
        team_user_ids=journey.team_user_ids(session, account.id or 0),
        owner=session.get(User, check_in.owner_id) if check_in.owner_id else None,
        closed_by=session.get(User, check_in.closed_by_id) if check_in.closed_by_id else None,
    )


def check_ins_of_account(
    session: Session, account_id: int, *, closed: int = CLOSED_SHOWN
) -> tuple[CheckInRow | None, list[CheckInRow]]:
    """The account's open check-in (if any) and its latest closed ones, newest first."""
    open_one = session.exec(
        select(CheckIn).where(
            CheckIn.account_id == account_id, CheckIn.status == CheckInStatus.OPEN.value
        )
    ).first()
    latest = list(
        session.exec(
            select(CheckIn)
            .where(CheckIn.account_id == account_id, CheckIn.status != CheckInStatus.OPEN.value)
            .order_by(col(CheckIn.closed_at).desc(), col(CheckIn.id).desc())
            .limit(closed)
        )
    )
    rows = _rows(session, [*([open_one] if open_one else []), *latest])
    if open_one is None:
        return None, rows
    return rows[0], rows[1:]


def accounts_owned_by(session: Session, owner_id: int) -> int:
    """How many accounts a user owns: My week is about those accounts only."""
    query = select(func.count()).select_from(Account).where(Account.owner_id == owner_id)
    return int(session.exec(query).one())


def coverage_gaps_of(session: Session, owner_id: int) -> list[AccountGaps]:
    """Coverage gaps of every account a user owns, by account name (accounts without gaps left out)."""
    # The firm view's grouped reading, narrowed to the owner: an owner of thousands of accounts
    # gets a row per account and role, not every contact with its roles.
    return [
        AccountGaps(account.account_id, account.account_name, account.gaps)
        for account in gapped_accounts(session, owner_id=owner_id)
    ]


def records_since(session: Session, since: datetime) -> list[CheckIn]:
    """Check-ins closed since `since`, and every open one: what the team view counts."""
    query = select(CheckIn).where(
        or_(
            col(CheckIn.status) == CheckInStatus.OPEN.value,
            col(CheckIn.closed_at) >= since,
        )
    )
    return list(session.exec(query))


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, User]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        user.id or 0: user for user in session.exec(select(User).where(col(User.id).in_(wanted)))
    }
