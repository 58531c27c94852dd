"""The daily check-in digest: one e-mail a day to each account manager with check-ins due or overdue.

"Today" is the recipient's own day (their time zone, else the firm's), so someone in Montréal is not
told at 01:30 that tomorrow's calls are due. The idempotency key carries that local date: the job
can run twice, or be re-run after a crash, and each person still gets one digest per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date
from sqlmodel import Session, col, select

from advocacy.adapters.reason_sentences import talking_point_sentence
from advocacy.adapters.translations import speaking
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.time_zones import zone_or_fallback
from advocacy.models import User
from advocacy.repository.open_check_ins import OpenCheckIn, open_check_ins_of
from advocacy.services.mail.queue import queue_email
from advocacy.settings import LANGUAGES, Settings

TEMPLATE = "check_in_digest"
SOURCE = "check_in_digest"
RECIPIENT_ROLES = ACCOUNT_WORKERS  # those who own accounts, so check-ins
# Check-ins generated before the ranking list every line never bought: the first few are shown.
TALKING_POINT_LINES = 3


@dataclass
class DigestReport:
    """Who was looked at, and what happened to each of them."""

    users: int = 0
    queued: int = 0
    already_queued: int = 0
    skipped_nothing_due: int = 0
    opted_out: int = 0
    refused: int = 0

    def __str__(self) -> str:
        return (
            f"{self.queued} digests queued for {self.users} users "
            f"({self.already_queued} already queued today, {self.skipped_nothing_due} with "
            f"nothing due, {self.opted_out} opted out, {self.refused} refused)"
        )


def local_today(user: User, settings: Settings, now: datetime) -> date:
    """The calendar day it is for `user` at `now`."""
    zone = zone_or_fallback(user.timezone, settings.default_timezone)
    return now.astimezone(zone).date()


def send_digests(session: Session, settings: Settings, *, now: datetime) -> DigestReport:
    """Queue today's digest for each account manager and admin with check-ins due or overdue.

    Unlike most services this one commits once per digest rather than once in all (so a key
    written by a racing process is seen at once). A crash half-way leaves the digests queued so
    far, and the rerun skips them by their idempotency key.
    """
    report = DigestReport()
    users = list(
        session.exec(
            select(User)
            .where(col(User.active).is_(True), col(User.role).in_(RECIPIENT_ROLES))
            .order_by(col(User.id))
        )
    )
    report.users = len(users)
    wanted = [user for user in users if user.check_in_digest]
    report.opted_out = len(users) - len(wanted)
    # No time zone is more than a day ahead of UTC: this bound fetches everyone's "today" at once.
    horizon = now.date() + timedelta(days=1)
    due = open_check_ins_of(session, [user.id for user in wanted if user.id], due_by=horizon)
    for user in wanted:
        today = local_today(user, settings, now)
        mine = [item for item in due.get(user.id or 0, []) if item.due_on <= today]
        if not mine:
            report.skipped_nothing_due += 1
            continue
        language = user.language if user.language in LANGUAGES else settings.default_language
        result = queue_email(
            session,
            category="transactional",
            template=TEMPLATE,
            to=user.email,
            to_name=user.name,
            user_id=user.id,
            source=(SOURCE, user.id),
            occurrence=today.isoformat(),
            context=_context(mine, today=today, language=language, settings=settings),
            now=now,
            language=language,
            settings=settings,
        )
        session.commit()
        if not result.queued:
            report.refused += 1
        elif result.created:
            report.queued += 1
        else:
            report.already_queued += 1
    return report


def check_in_url(settings: Settings, check_in_id: int) -> str:
    return f"{settings.base_url}/check-ins/{check_in_id}"


def _context(
    items: list[OpenCheckIn], *, today: date, language: str, settings: Settings
) -> dict[str, Any]:
    def row(item: OpenCheckIn) -> dict[str, Any]:
        return {
            "account_name": item.account_name,
            "contact_name": item.contact_name,
            "kind": item.kind,
            "due_on": format_date(item.due_on, "medium", locale=language),
            "next_lines": [
                {"name": line.name, "reason": talking_point_sentence(line)}
                for line in item.next_lines
            ],
            "never_bought": ", ".join(item.never_bought[:TALKING_POINT_LINES]),
            "url": check_in_url(settings, item.id),
        }

    # The reasons are sentences in the recipient's language, not the language of whoever runs this.
    with speaking(language):
        overdue = [row(item) for item in items if item.due_on < today]
        due_today = [row(item) for item in items if item.due_on == today]
    return {
        "day": format_date(today, "full", locale=language),
        "overdue": overdue,
        "due_today": due_today,
        "my_week_url": settings.base_url + "/",
        "preferences_url": settings.base_url + "/preferences",
    }
