"""The scheduler's leader lease: which jobs process may act, and when a standby may take over.

Several `advocacy jobs run` processes may run at once; only the holder of the lease runs jobs. The
holder renews it at every heartbeat; a standby takes it only once it is free (never taken, or
released at a clean stop) or expired (its holder stopped renewing: killed, hung, cut off from the
database). The database applies the same rule in one conditional UPDATE, so two processes never
both hold it; these functions state the rule for the rest of the code and its tests.

Every take-over by another process increases the epoch, so each period of leadership has a number
that names it (in the logs, and for any write that wants to check it still acts for the leader).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class Lease:
    holder: str | None  # None: free (never taken, or released at a clean stop)
    acquired_at: datetime
    expires_at: datetime
    epoch: int


class Standing(StrEnum):
    """Where one process (or an observer, with no name) stands with the lease."""

    FREE = "free"
    EXPIRED = "expired"  # its holder did not renew in time
    MINE = "mine"
    HELD = "held"  # by another process, and still valid


@dataclass(frozen=True)
class LeaseTerms:
    duration: timedelta
    renew_every: timedelta

    @property
    def start_margin(self) -> timedelta:
        """Lease time a job run needs left to start: one renewal interval.

        A healthy leader always has more; one that has missed a renewal (slow or unreachable
        database) stops starting runs well before a standby could take the lease over.
        """
        return self.renew_every

    @property
    def takeover_within(self) -> timedelta:
        """Longest wait, after the leader's last renewal, until a standby holds the lease."""
        return self.duration + self.renew_every

    def problem(self) -> str | None:
        """Why these terms cannot work, or None: one late renewal must not lose the lease."""
        if self.duration < 2 * self.renew_every:
            return (
                f"the lease ({self.duration.total_seconds():g} s) must last at least two "
                f"renewal intervals ({self.renew_every.total_seconds():g} s each)"
            )
        return None


def standing(lease: Lease | None, me: str | None, now: datetime) -> Standing:
    """Whether the lease is free, expired, `me`'s own, or held by another process at `now`.

    A lease that is still `me`'s after it expired counts as mine: nobody else took it meanwhile,
    so renewing it continues the same leadership.
    """
    if lease is None or lease.holder is None:
        return Standing.FREE
    if me is not None and lease.holder == me:
        return Standing.MINE
    if lease.expires_at <= now:
        return Standing.EXPIRED
    return Standing.HELD


def may_take(lease: Lease | None, me: str, now: datetime) -> bool:
    """Whether `me` may take (or renew) the lease now: it is free, expired or already mine."""
    return standing(lease, me, now) is not Standing.HELD


def may_start_run(lease: Lease | None, me: str, now: datetime, margin: timedelta) -> bool:
    """Whether a job run may start on `me` now: it holds the lease with at least `margin` left."""
    if lease is None or lease.holder != me:
        return False
    return lease.expires_at - now >= margin
