"""Score history for the calibration report: replay the score at past moments over the evidence
already recorded, and read the report (docs/scoring.md, "Calibration").

A replay at a past `now` reads only what was recorded by then (every read of the score's evidence
stops at `now`) and writes that day's snapshots, never the current scores. An installation that
starts scoring with years of history behind it can so judge the score at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from advocacy.domain.calibration import Calibration, calibrate, period_starts
from advocacy.repository import scoring
from advocacy.repository.read_models import calibration
from advocacy.services.scoring.recompute import CHUNK, ScoringRules, rescore


def replay_at(
    session: Session, moment: datetime, *, rules: ScoringRules, chunk: int = CHUNK
) -> int:
    """Snapshot every contact's score as it was at `moment` (committed chunk by chunk).

    Whoever objected to profiling is left out, even if the objection came after `moment`.
    """
    objected = scoring.objected_contact_ids(session)
    ids = [cid for cid in scoring.all_contact_ids(session) if cid not in objected]
    scored = 0
    for start in range(0, len(ids), chunk):
        scored += rescore(
            session, ids[start : start + chunk], now=moment, rules=rules, current=False
        )
        session.commit()
        session.expunge_all()
    return scored


def replay_history(
    session: Session,
    moments: Sequence[datetime],
    *,
    rules: ScoringRules,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Snapshot every contact's score at each of these past moments; how many snapshots."""
    written = 0
    for done, moment in enumerate(sorted(moments), start=1):
        written += replay_at(session, moment, rules=rules)
        if progress is not None:
            progress(done, len(moments))
    return written


@dataclass(frozen=True)
class CalibrationReport:
    """The lift table, the periods it pooled and the window it looked at."""

    result: Calibration
    starts: list[date]
    months: int


def calibration_report(
    session: Session, *, today: date, months: int, every_days: int
) -> CalibrationReport:
    """By score decile at past period starts, the share who gave within `months` after."""
    starts = period_starts(
        calibration.snapshot_days(session), today=today, months=months, every_days=every_days
    )
    groups = [
        g for start in starts for g in calibration.score_groups(session, start, months=months)
    ]
    return CalibrationReport(calibrate(groups, periods=len(starts)), starts, months)
