"""Generating check-ins: each owned account gets its next conversation at its journey's rhythm.

Safe to run twice, or again after a crash half-way: an account with an open check-in gets no
other (a unique guard column, see models/checkins.py), so reruns and racing processes create
nothing twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from advocacy.domain.cadence import (
    CadenceRules,
    CheckInKind,
    CheckInStatus,
    DueCheckIn,
    next_check_in,
    pick_contact,
    talking_points,
)
from advocacy.repository import awareness, check_ins
from advocacy.services.nurture.next_lines import NextLines, next_lines
from advocacy.services.voice.repair import points_for
from advocacy.settings import Settings

CHUNK = 500
# Touchpoints of the last weeks are talking points; older ones are history.
RECENT_DAYS = 90
# Departures of the last year are news worth mentioning.
DEPARTURES_DAYS = 365

T = TypeVar("T")


@dataclass
class GenerationReport:
    """What one run created, by rule, and how many accounts it looked at."""

    accounts: int = 0
    created: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        rules = ", ".join(f"{rule}: {n}" for rule, n in sorted(self.by_rule.items()))
        return f"{self.created} check-ins created over {self.accounts} accounts ({rules or 'none'})"


def rules_of(settings: Settings) -> CadenceRules:
    return CadenceRules(
        active_days=settings.checkins_active_days,
        between_days=settings.checkins_between_days,
        not_now_days=settings.checkins_not_now_days,
        former_good_days=settings.checkins_former_good_days,
        revisit_lead_days=settings.checkins_revisit_lead_days,
        horizon_days=settings.checkins_horizon_days,
    )


def _chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def generate_due(
    session: Session,
    rules: CadenceRules,
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationReport:
    """Create the check-ins that have come due (within the horizon) for every owned account."""
    report = GenerationReport()
    account_ids = check_ins.owned_account_ids(session)
    # The co-purchase evidence and the catalogue, read once for the run: the same for everyone.
    ranking = next_lines(session)
    today = now.date()
    for chunk in _chunks(account_ids, CHUNK):
        report.accounts += len(chunk)
        due = [
            plan
            for facts in check_ins.cadence_facts(session, chunk)
            if (plan := next_check_in(facts, rules, today=today)) is not None
        ]
        if due:
            created = check_ins.insert_open_check_ins(
                session, _rows(session, due, ranking, rules, now)
            )
            report.created += created
            report.by_rule.update(plan.rule for plan in due)
            check_ins.clear_chosen_dates(session, [p.account_id for p in due if p.rule == "chosen"])
        # One commit per chunk, not one for the run: a long run must not hold SQLite's single
        # write lock for minutes, and a crash keeps the chunks already done. Each chunk stands on
        # its own (the guard column makes a rerun skip what exists), so nothing is lost or doubled.
        session.commit()
        if progress is not None:
            progress(report.accounts, len(account_ids))
    session.commit()
    return report


def _rows(
    session: Session,
    due: list[DueCheckIn],
    ranking: NextLines,
    rules: CadenceRules,
    now: datetime,
) -> Iterator[dict[str, object]]:
    ids = [plan.account_id for plan in due]
    owners = check_ins.owners_of(session, ids)
    people = check_ins.stakeholders(session, ids)
    bought = check_ins.bought_service_lines(session, ids)
    industries = check_ins.industries_of(session, ids)
    known = awareness.account_records(session, ids)
    live = check_ins.live_engagements(session, ids)
    recent = check_ins.recent_touchpoints(session, ids, since=now - timedelta(days=RECENT_DAYS))
    moved, retired = check_ins.departures(
        session, ids, since=now.date() - timedelta(days=DEPARTURES_DAYS)
    )
    # "Lately" is the shortest routine rhythm: someone we spoke to within it was heard recently.
    lately = timedelta(days=rules.active_days)
    repairs = [plan.account_id for plan in due if plan.kind is CheckInKind.REPAIR]
    repair = points_for(session, repairs, now=now) if repairs else {}
    for plan in due:
        account_id = plan.account_id
        lines = bought.get(account_id, {})
        # A repair conversation is about the problem: no cross-selling points at all.
        points = repair.get(account_id) or talking_points(
            next_lines=ranking.talking_points(
                kind=plan.kind,
                industry=industries.get(account_id) or "",
                awareness=known.get(account_id, {}),
                bought_line_ids=lines.keys(),
                now=now,
            ),
            bought=lines.values(),
            open_engagements=live.get(account_id, []),
            recent=recent.get(account_id, []),
            moved=moved.get(account_id, []),
            retired=retired.get(account_id, []),
        )
        yield {
            "account_id": account_id,
            "owner_id": owners.get(account_id),
            "contact_id": pick_contact(people.get(account_id, []), now=now, lately=lately),
            "kind": plan.kind.value,
            "rule": plan.rule,
            "status": CheckInStatus.OPEN.value,
            "due_on": plan.due_on,
            "open_for_account_id": account_id,
            "talking_points_json": json.dumps(points.as_data(), ensure_ascii=False),
            "outcome": "",
            "notes": "",
            "next_step": "",
            "skip_reason": "",
            "created_at": now,
            "updated_at": now,
        }
