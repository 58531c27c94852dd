"""Empty old content in bulk (rules in domain/retention.py). Flushes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlmodel import Session, col

from advocacy.domain.erasure import ERASED_NAME
from advocacy.domain.journey import Stage
from advocacy.domain.retention import FINAL_MAIL_STATUSES
from advocacy.models import (
    Account,
    Contact,
    Engagement,
    MailEvent,
    OutboxMessage,
    Person,
    Survey,
    Touchpoint,
)

# What the person did with the firm's e-mail: opening or clicking is hearing from them; a
# delivery or a bounce is not.
HEARD_FROM_EVENTS = ("open", "click")


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


def inactive_prospects(session: Session, before: datetime) -> list[tuple[int, int]]:
    """(person id, one of their contact ids) of every prospect not heard from since `before`.

    A prospect: not erased, and every position of theirs is at an account still at the prospect
    stage (whoever was ever at a client is a client's person, kept by the other rules).
    Activity, for any of their positions, from `before` on: the contact was added or changed; a
    touchpoint with them, or with their account and nobody named; an engagement (a proposal) at
    their account added or changed; their account changing stage; a survey answered; an e-mail
    to them opened or clicked.
    """
    people = {
        person_id: contact_id
        for person_id, contact_id in session.execute(
            select(col(Contact.person_id), col(Contact.id))
            .join(Person, col(Person.id) == col(Contact.person_id))
            .where(col(Person.full_name) != ERASED_NAME)
            .order_by(col(Contact.id).desc())  # the first position wins, below
        )
    }
    at_clients = select(col(Contact.person_id)).join(
        Account, col(Account.id) == col(Contact.account_id)
    )
    at_clients = at_clients.where(col(Account.stage) != Stage.PROSPECT.value)
    kept = set(session.execute(at_clients).scalars())
    for query in _activity_since(before):
        kept.update(session.execute(query).scalars())
    return sorted((pid, cid) for pid, cid in people.items() if pid not in kept)


def _activity_since(before: datetime) -> list[Select[int]]:
    """One query per kind of activity, each giving the person ids it keeps."""
    person = col(Contact.person_id)
    at_account = col(Contact.account_id)
    return [
        select(person).where(
            or_(col(Contact.created_at) >= before, col(Contact.updated_at) >= before)
        ),
        select(person)
        .join(Touchpoint, col(Touchpoint.contact_id) == col(Contact.id))
        .where(col(Touchpoint.occurred_at) >= before),
        select(person)
        .join(Touchpoint, col(Touchpoint.account_id) == at_account)
        .where(col(Touchpoint.contact_id).is_(None), col(Touchpoint.occurred_at) >= before),
        select(person)
        .join(Engagement, col(Engagement.account_id) == at_account)
        .where(or_(col(Engagement.created_at) >= before, col(Engagement.updated_at) >= before)),
        select(person)
        .join(Account, col(Account.id) == at_account)
        .where(col(Account.stage_since) >= before),
        select(person)
        .join(Survey, col(Survey.contact_id) == col(Contact.id))
        .where(col(Survey.answered_at) >= before),
        select(person)
        .join(OutboxMessage, col(OutboxMessage.contact_id) == col(Contact.id))
        .join(MailEvent, col(MailEvent.message_id) == col(OutboxMessage.id))
        .where(col(MailEvent.event).in_(HEARD_FROM_EVENTS), col(MailEvent.occurred_at) >= before),
    ]
