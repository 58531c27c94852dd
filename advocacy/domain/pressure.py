"""The contact-pressure budget: the one place that says whether a client-facing e-mail may go now.

Two questions, asked separately because callers need them at different moments:
- `check_budget`: would one more client-facing e-mail exceed N per contact or M per account in the
  last D days? Logged human conversations (calls, meetings) count like e-mails, so automated mail
  steps back after an account manager spoke to the client. The queue asks it (with pending
  messages counted), the dispatcher asks again at send time, and planners ask it before planning.
- `next_send_time`: the first moment at or after `now` inside the send window of the contact's
  time zone, on an allowed weekday, not on a quiet day.

`assess` combines both for the dispatcher: outside the window, wait (the budget is judged again
then); inside it, send or refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from advocacy.domain.time_zones import zone_or_fallback

MAX_DAYS_AHEAD = 400  # a window that never opens (every day quiet) must not loop forever


@dataclass(frozen=True)
class Budget:
    per_contact: int
    per_account: int
    days: int

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.days)


@dataclass(frozen=True)
class SendWindow:
    start: time
    end: time
    weekdays: frozenset[int]  # ISO: 1 = Monday ... 7 = Sunday
    quiet_days: frozenset[date]

    @classmethod
    def parse(cls, window: str, weekdays: Iterable[int], quiet_days: Iterable[str]) -> SendWindow:
        """From settings: "08:00-18:00", (1, ..., 5), ("2026-12-25", ...)."""
        start, end = window.split("-")
        return cls(
            time.fromisoformat(start),
            time.fromisoformat(end),
            frozenset(weekdays),
            frozenset(date.fromisoformat(day) for day in quiet_days),
        )

    def open_on(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.quiet_days


class VerdictKind(StrEnum):
    SEND_NOW = "send_now"
    WAIT = "wait"  # outside the send window: try again at `at`
    REFUSED = "refused"  # over the pressure budget


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    at: datetime | None = None  # WAIT: when; REFUSED: when the budget frees up again
    reason: str = ""


@dataclass(frozen=True)
class BudgetCheck:
    allowed: bool
    reason: str = ""
    frees_at: datetime | None = None


def zone(name: str) -> ZoneInfo:
    """The contact's time zone; an empty or unknown name falls back to UTC rather than failing."""
    return zone_or_fallback(name)


def check_budget(
    now: datetime,
    budget: Budget,
    *,
    contact_touches: Iterable[datetime],
    account_touches: Iterable[datetime],
) -> BudgetCheck:
    """Whether one more client-facing e-mail fits the budget.

    `contact_touches` are this contact's client-facing e-mails (sent or pending) and logged calls
    and meetings with them; `account_touches` the same for everyone at the account, account-level
    conversations included. Only those in the last `budget.days` days count.
    """
    since = now - budget.period
    for label, limit, touches in (
        ("contact", budget.per_contact, contact_touches),
        ("account", budget.per_account, account_touches),
    ):
        recent = sorted(at for at in touches if since < at <= now)
        if len(recent) >= limit:
            # The budget frees when enough of the oldest touches leave the period.
            frees_at = recent[len(recent) - limit] + budget.period
            return BudgetCheck(
                False,
                f"over the {label} pressure budget: {len(recent)} touches in {budget.days} days "
                f"(limit {limit})",
                frees_at,
            )
    return BudgetCheck(True)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on `day` in `tz`, in UTC.

    In a spring-forward gap the wall time does not exist; fold=0 maps it to just after the jump,
    which is the first real moment at or after the intended one.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_send_time(now: datetime, timezone: str, window: SendWindow) -> datetime | None:
    """The first moment at or after `now` inside the window in `timezone`; None if it never opens."""
    tz = zone(timezone)
    local_now = now.astimezone(tz)
    day = local_now.date()
    for _ in range(MAX_DAYS_AHEAD):
        if window.open_on(day):
            opens = _local(day, window.start, tz)
            closes = _local(day, window.end, tz)
            if now < closes:
                return max(now, opens).astimezone(now.tzinfo or UTC)
        day += timedelta(days=1)
    return None


def assess(
    now: datetime,
    *,
    timezone: str,
    window: SendWindow,
    budget: Budget,
    contact_touches: Iterable[datetime],
    account_touches: Iterable[datetime],
) -> Verdict:
    """May a client-facing e-mail go to this contact now, later (when), or not (over budget)?"""
    opens = next_send_time(now, timezone, window)
    if opens is None:
        return Verdict(VerdictKind.REFUSED, None, "the send window never opens")
    if opens > now:
        return Verdict(VerdictKind.WAIT, opens, "outside the send window")
    check = check_budget(
        now, budget, contact_touches=contact_touches, account_touches=account_touches
    )
    if not check.allowed:
        return Verdict(VerdictKind.REFUSED, check.frees_at, check.reason)
    return Verdict(VerdictKind.SEND_NOW, now)
