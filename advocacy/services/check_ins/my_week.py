"""An account manager's week: the check-ins to make, the champions who moved, the gaps to fill;
and how the team keeps its rhythm. Read-only: nothing here writes or commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from sqlmodel import Session

from advocacy.domain.access import is_on_team_report
from advocacy.domain.cadence import CheckInRecord, CheckInStatus, Discipline, discipline
from advocacy.domain.identity import Role
from advocacy.models import User
from advocacy.repository.read_models import contacts
from advocacy.repository.read_models.accounts import possible_owners, user_label
from advocacy.repository.read_models.contacts import SignalRow
from advocacy.repository.read_models.my_week import (
    AccountGaps,
    CheckInRow,
    accounts_owned_by,
    coverage_gaps_of,
    open_check_ins_of,
    records_since,
    users_by_id,
)

UPCOMING_WEEKS: Final = 4
TEAM_PERIODS: Final = (30, 90, 180, 365)
DEFAULT_TEAM_PERIOD: Final = 90


@dataclass
class MyWeek:
    """What the home page shows an account manager, in the order they act on it."""

    today: date
    week_ends_on: date
    overdue: list[CheckInRow] = field(default_factory=list)
    this_week: list[CheckInRow] = field(default_factory=list)
    upcoming: list[CheckInRow] = field(default_factory=list)
    signals: list[SignalRow] = field(default_factory=list)
    gaps: list[AccountGaps] = field(default_factory=list)
    # An admin who owns nothing has an empty week that says nothing about the firm's.
    accounts_owned: int = 0

    @property
    def owns_nothing(self) -> bool:
        """Nothing of one's own this week: no account owned and no check-in or signal handed over."""
        return not (
            self.accounts_owned or self.overdue or self.this_week or self.upcoming or self.signals
        )

    @property
    def champions_moved(self) -> list[SignalRow]:
        return [row for row in self.signals if row.signal.kind == "champion_moved"]

    @property
    def other_signals(self) -> list[SignalRow]:
        return [row for row in self.signals if row.signal.kind != "champion_moved"]


def week_end(today: date) -> date:
    """The Sunday ending the week of `today` (weeks run Monday to Sunday, as in ISO 8601)."""
    return today + timedelta(days=6 - today.weekday())


def my_week(session: Session, user_id: int, *, today: date) -> MyWeek:
    """A user's open check-ins split into overdue, this week and the next four weeks, with their
    journey signals and the coverage gaps of the accounts they own."""
    ends = week_end(today)
    week = MyWeek(today=today, week_ends_on=ends)
    for row in open_check_ins_of(session, user_id, through=ends + timedelta(weeks=UPCOMING_WEEKS)):
        due = row.check_in.due_on
        if due < today:
            week.overdue.append(row)
        elif due <= ends:
            week.this_week.append(row)
        else:
            week.upcoming.append(row)
    week.signals = contacts.open_signals_for(session, user_id)
    week.gaps = coverage_gaps_of(session, user_id)
    week.accounts_owned = accounts_owned_by(session, user_id)
    return week


@dataclass(frozen=True)
class TeamRow:
    user_id: int | None
    name: str
    figures: Discipline


@dataclass(frozen=True)
class TeamDiscipline:
    since: date
    today: date
    rows: list[TeamRow]


def team_discipline(session: Session, *, days: int, now: datetime, tz: tzinfo) -> TeamDiscipline:
    """Per account manager: check-ins closed in the last `days` days (on time, late, skipped) and
    those open now (overdue, open), counted in the viewer's calendar."""
    today = now.astimezone(tz).date()
    since = today - timedelta(days=days)
    records = [
        CheckInRecord(
            owner_id=check_in.owner_id,
            status=CheckInStatus(check_in.status),
            due_on=check_in.due_on,
            closed_on=check_in.closed_at.astimezone(tz).date() if check_in.closed_at else None,
        )
        for check_in in records_since(session, datetime.combine(since, time(), tz))
    ]
    figures = discipline(records, today=today)
    # Everyone who can own a check-in appears, with zeros if they had none: a silent row says
    # as much as a busy one. Former colleagues appear only while their records count.
    people: dict[int, User] = {
        user.id: user for user in possible_owners(session) if user.id is not None
    }
    people.update(users_by_id(session, (key for key in figures if key is not None)))
    rows = [
        TeamRow(user_id, user_label(user), figures.get(user_id, Discipline()))
        for user_id, user in people.items()
        if is_on_team_report(Role(user.role)) or user_id in figures
    ]
    rows.sort(key=lambda row: row.name.lower())
    if None in figures:
        rows.append(TeamRow(None, "", figures[None]))
    return TeamDiscipline(since=since, today=today, rows=rows)
