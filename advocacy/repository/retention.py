"""Empty old content in bulk (rules in domain/retention.py). Flushes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from advocacy.domain.journey import Stage
from advocacy.domain.retention import FINAL_MAIL_STATUSES
from advocacy.models import Account, OutboxMessage, Survey


def empty_old_mail(session: Session, before: datetime) -> int:
    """Empty subject, bodies and headers of finished messages queued before `before`."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.queued_at) < before,
            col(OutboxMessage.status).in_(FINAL_MAIL_STATUSES),
            col(OutboxMessage.text_body) != "",
        )
        .values(subject="", text_body="", html_body="", headers_json="{}")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def empty_former_clients_comments(session: Session, before: datetime) -> int:
    """Empty the free comments former clients wrote in surveys answered before `before`."""
    former = select(col(Account.id)).where(col(Account.stage) == Stage.FORMER.value)
    result = session.execute(
        update(Survey)
        .where(
            col(Survey.answered_at) < before,
            col(Survey.account_id).in_(former),
            col(Survey.comment) != "",
        )
        .values(comment="")
    )
    return int(getattr(result, "rowcount", 0) or 0)
