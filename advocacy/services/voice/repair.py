"""Repair conversations: the account manager's call after a bad experience, about the problem.

A bad-camp former client gets one from the daily generation; a detractor's answer opens one at
once (or turns the account's open routine check-in into one), due within a few days and never
already overdue. Helpers only: the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, select

from advocacy.domain.cadence import (
    CadenceRules,
    CheckInKind,
    CheckInStatus,
    TalkingPoints,
    repair_due_on,
)
from advocacy.domain.repair import Feedback, repair_points
from advocacy.domain.surveys import SCALES, Sentiment, SurveyKind, sentiment
from advocacy.models import Account, CheckIn
from advocacy.repository import check_ins

# Unhappy answers of the last year are what the conversation is about.
FEEDBACK_DAYS = 365
DETRACTOR_RULE = "detractor"


def points_for(
    session: Session, account_ids: Sequence[int], *, now: datetime
) -> dict[int, TalkingPoints]:
    """Per account, the talking points of a repair conversation (the problem, never a sale)."""
    answers, reasons = check_ins.answers_and_reasons(
        session, account_ids, since=now - timedelta(days=FEEDBACK_DAYS)
    )
    points = {}
    for account_id in account_ids:
        unhappy = [
            Feedback(at, who, f"{kind.upper()} {score}/{SCALES[SurveyKind(kind)][1]}", text, about)
            for at, who, kind, score, text, about in answers.get(account_id, [])
            if sentiment(SurveyKind(kind), score) is Sentiment.DETRACTOR
        ]
        points[account_id] = repair_points(problem=reasons.get(account_id) or "", feedback=unhappy)
    return points


def open_repair_conversation(
    session: Session,
    account: Account,
    *,
    contact_id: int | None,
    rules: CadenceRules,
    now: datetime,
) -> None:
    """After a detractor's answer: the account's open check-in becomes the repair conversation
    (a routine one loses its cross-sell points), or a new one is opened, due within days."""
    assert account.id is not None
    today = now.date()
    points = json.dumps(
        points_for(session, [account.id], now=now)[account.id].as_data(), ensure_ascii=False
    )
    check_in = session.exec(
        select(CheckIn).where(
            CheckIn.account_id == account.id, CheckIn.status == CheckInStatus.OPEN.value
        )
    ).first()
    if check_in is not None:
        check_in.kind, check_in.rule = CheckInKind.REPAIR.value, DETRACTOR_RULE
        check_in.due_on = repair_due_on(
            check_in.due_on, today=today, within_days=rules.repair_within_days
        )
        check_in.contact_id = contact_id or check_in.contact_id
        check_in.talking_points_json, check_in.updated_at = points, now
        session.add(check_in)
        session.flush()
        return
    check_ins.insert_open_check_ins(
        session,
        [
            {
                "account_id": account.id,
                "owner_id": account.owner_id,
                "contact_id": contact_id,
                "kind": CheckInKind.REPAIR.value,
                "rule": DETRACTOR_RULE,
                "status": CheckInStatus.OPEN.value,
                "due_on": today + timedelta(days=rules.repair_within_days),
                "open_for_account_id": account.id,
                "talking_points_json": points,
                "outcome": "",
                "notes": "",
                "next_step": "",
                "skip_reason": "",
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
