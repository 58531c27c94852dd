"""Queries for service-line awareness: raise it from evidence, rebuild it, read the evidence.

Writes are upserts that only ever raise a record: each date keeps the later of the stored and the
new value, and the state is the strongest state that has a date. Add and flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, case, delete, func, literal, null, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from advocacy.domain.awareness import (
    ATTENDED_KINDS,
    CLIENT_INITIATIVE,
    FIRM_INITIATIVE,
    INTRODUCING_KINDS,
    MAIL_EVENT_STATES,
    Awareness,
    Evidence,
    LineAwareness,
)
from advocacy.domain.journey import EngagementStatus
from advocacy.models import (
    AccountLineAwareness,
    Contact,
    ContactLineAwareness,
    Engagement,
    EngagementContact,
    EngagementServiceLine,
    MailEvent,
    OutboxMessage,
    Touchpoint,
)

# Work the client paid for: a proposal, a lost or a deferred deal is not a line "bought".
BOUGHT_STATUSES: tuple[str, ...] = tuple(
    s.value for s in (EngagementStatus.WON, EngagementStatus.ACTIVE, EngagementStatus.COMPLETED)
)
_DATES = {
    Awareness.INTRODUCED: "introduced_at",
    Awareness.ENGAGED: "engaged_at",
    Awareness.BOUGHT: "bought_at",
}
CONTACTS: Table = ContactLineAwareness.__table__  # type: ignore[attr-defined]
ACCOUNTS: Table = AccountLineAwareness.__table__  # type: ignore[attr-defined]


# --- raising records --------------------------------------------------------------------------


def _later(stored: Any, new: Any) -> ColumnElement[Any]:
    """The later of two dates, either of which may be NULL (portable: no GREATEST on SQLite)."""
    return case(
        (new.is_(None), stored),
        (or_(stored.is_(None), new > stored), new),
        else_=stored,
    )


def _state_from(introduced: Any, engaged: Any, bought: Any) -> ColumnElement[Any]:
    """The strongest state that has a date (the rule of `domain.awareness.state_of`)."""
    return case(
        (bought.is_not(None), literal(Awareness.BOUGHT.value)),
        (engaged.is_not(None), literal(Awareness.ENGAGED.value)),
        (introduced.is_not(None), literal(Awareness.INTRODUCED.value)),
        else_=literal(Awareness.UNAWARE.value),
    )


def _upsert(
    session: Session,
    table: Table,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stored, new = table.c, insert.excluded
    dates = {name: _later(stored[name], new[name]) for name in _DATES.values()}
    statement = insert.values(rows).on_conflict_do_update(
        index_elements=list(key),
        set_={
            **dates,
            "state": _state_from(dates["introduced_at"], dates["engaged_at"], dates["bought_at"]),
            "updated_at": new.updated_at,
        },
    )
    session.execute(statement)


def _row(record: LineAwareness, now: datetime, **key: int) -> dict[str, Any]:
    return {
        **key,
        "service_line_id": record.service_line_id,
        "state": record.state.value,
        "introduced_at": record.introduced_at,
        "engaged_at": record.engaged_at,
        "bought_at": record.bought_at,
        "updated_at": now,
    }


def raise_awareness(
    session: Session,
    by_contact: Mapping[tuple[int, int], LineAwareness],
    by_account: Mapping[tuple[int, int], LineAwareness],
    contact_accounts: Mapping[int, int],
    *,
    now: datetime,
) -> None:
    """Raise the stored records to at least these (one statement per table; never lowers)."""
    _upsert(
        session,
        CONTACTS,
        ("contact_id", "service_line_id"),
        [
            _row(record, now, contact_id=contact_id, account_id=contact_accounts[contact_id])
            for (contact_id, _line), record in sorted(by_contact.items())
            if contact_id in contact_accounts
        ],
    )
    _upsert(
        session,
        ACCOUNTS,
        ("account_id", "service_line_id"),
        [
            _row(record, now, account_id=account_id)
            for (account_id, _line), record in sorted(by_account.items())
        ],
    )
    session.flush()


def accounts_of_contacts(session: Session, contact_ids: Sequence[int]) -> dict[int, int]:
    """Contact id -> its account id (a contact holds one position at one account)."""
    if not contact_ids:
        return {}
    query = select(col(Contact.id), col(Contact.account_id)).where(
        col(Contact.id).in_(sorted(set(contact_ids)))
    )
    return {contact_id: account_id for contact_id, account_id in session.execute(query)}


def account_records(
    session: Session, account_ids: Iterable[int]
) -> dict[int, dict[int, LineAwareness]]:
    """Account id -> {line id: its awareness record}; accounts without records are absent."""
    ids = sorted(set(account_ids))
    found: dict[int, dict[int, LineAwareness]] = defaultdict(dict)
    if not ids:
        return {}
    query = select(AccountLineAwareness).where(col(AccountLineAwareness.account_id).in_(ids))
    for row in session.scalars(query):
        found[row.account_id][row.service_line_id] = LineAwareness(
            row.service_line_id,
            Awareness(row.state),
            row.introduced_at,
            row.engaged_at,
            row.bought_at,
        )
    return dict(found)


def bought_evidence(session: Session, account_id: int) -> list[Evidence]:
    """What the account's sold engagements prove: bought, for the account and each person named."""
    query = (
        select(
            col(Engagement.account_id),
            col(EngagementContact.contact_id),
            col(EngagementServiceLine.service_line_id),
            col(Engagement.created_at),
        )
        .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == col(Engagement.id))
        .join(
            EngagementContact,
            col(EngagementContact.engagement_id) == col(Engagement.id),
            isouter=True,
        )
        .where(
            col(Engagement.account_id) == account_id, col(Engagement.status).in_(BOUGHT_STATUSES)
        )
    )
    return [
        Evidence(account, contact, line, Awareness.BOUGHT, at)
        for account, contact, line, at in session.execute(query)
    ]


# --- rebuilding from scratch ------------------------------------------------------------------


def _evidence() -> Any:
    """Every piece of evidence as rows (account_id, contact_id, service_line_id, state, at)."""
    sold: Any = (
        select(
            col(Engagement.account_id),
            col(EngagementContact.contact_id),
            col(EngagementServiceLine.service_line_id),
            literal(Awareness.BOUGHT.value).label("state"),
            col(Engagement.created_at).label("at"),
        )
        .join(EngagementServiceLine, col(EngagementServiceLine.engagement_id) == col(Engagement.id))
        .join(
            EngagementContact,
            col(EngagementContact.engagement_id) == col(Engagement.id),
            isouter=True,
        )
        .where(col(Engagement.status).in_(BOUGHT_STATUSES))
    )
    # The same rule as domain.awareness.touchpoint_awareness, as SQL.
    touched_state = case(
        (
            or_(
                col(Touchpoint.kind).in_(sorted(ATTENDED_KINDS)),
                col(Touchpoint.initiative) == CLIENT_INITIATIVE,
            ),
            literal(Awareness.ENGAGED.value),
        ),
        (
            and_(
                col(Touchpoint.initiative) == FIRM_INITIATIVE,
                col(Touchpoint.kind).in_(sorted(INTRODUCING_KINDS)),
            ),
            literal(Awareness.INTRODUCED.value),
        ),
        else_=null(),
    )
    touched = select(
        col(Touchpoint.account_id),
        col(Touchpoint.contact_id),
        col(Touchpoint.service_line_id),
        touched_state.label("state"),
        col(Touchpoint.occurred_at).label("at"),
    ).where(col(Touchpoint.service_line_id).is_not(None))
    mailed_state = case(
        *[
            (col(MailEvent.event) == event, literal(state.value))
            for event, state in MAIL_EVENT_STATES.items()
        ],
        else_=null(),
    )
    mailed = (
        select(
            col(Contact.account_id),
            col(OutboxMessage.contact_id),
            col(OutboxMessage.service_line_id),
            mailed_state.label("state"),
            col(MailEvent.occurred_at).label("at"),
        )
        .join(OutboxMessage, col(OutboxMessage.id) == col(MailEvent.message_id))
        .join(Contact, col(Contact.id) == col(OutboxMessage.contact_id))
        .where(
            col(MailEvent.event).in_(sorted(MAIL_EVENT_STATES)),
            col(MailEvent.processed_at).is_not(None),
            col(OutboxMessage.service_line_id).is_not(None),
        )
    )
    return union_all(sold, touched, mailed).subquery("evidence")


def _grouped(evidence: Any, key: tuple[str, ...], now: datetime) -> Any:
    dated = {
        name: func.max(case((evidence.c.state == state.value, evidence.c.at), else_=null()))
        for state, name in _DATES.items()
    }
    inner = (
        select(*[evidence.c[name] for name in key], *[v.label(k) for k, v in dated.items()])
        .where(evidence.c.state.is_not(None), *[evidence.c[name].is_not(None) for name in key])
        .group_by(*[evidence.c[name] for name in key])
        .subquery("grouped")
    )
    return select(
        *[inner.c[name] for name in key],
        _state_from(inner.c.introduced_at, inner.c.engaged_at, inner.c.bought_at).label("state"),
        inner.c.introduced_at,
        inner.c.engaged_at,
        inner.c.bought_at,
        literal(now, ContactLineAwareness.__table__.c.updated_at.type).label("updated_at"),  # type: ignore[attr-defined]
    )


def rebuild_all(session: Session, *, now: datetime) -> tuple[int, int]:
    """Recompute every record from the evidence alone: (contact records, account records).

    Six statements whatever the size of the firm: two deletes, two INSERT ... SELECT, two counts.
    """
    session.execute(delete(ContactLineAwareness))
    session.execute(delete(AccountLineAwareness))
    evidence = _evidence()
    per_contact = _grouped(evidence, ("contact_id", "service_line_id"), now).subquery("per_contact")
    # A contact's account is the one it holds its position at.
    with_account = select(
        per_contact.c.contact_id,
        col(Contact.account_id),
        per_contact.c.service_line_id,
        per_contact.c.state,
        per_contact.c.introduced_at,
        per_contact.c.engaged_at,
        per_contact.c.bought_at,
        per_contact.c.updated_at,
    ).join(Contact, col(Contact.id) == per_contact.c.contact_id)
    columns = [
        "contact_id",
        "account_id",
        "service_line_id",
        "state",
        "introduced_at",
        "engaged_at",
        "bought_at",
        "updated_at",
    ]
    session.execute(CONTACTS.insert().from_select(columns, with_account))
    session.execute(
        ACCOUNTS.insert().from_select(
            [name for name in columns if name != "contact_id"],
            _grouped(evidence, ("account_id", "service_line_id"), now),
        )
    )
    # Counted, not taken from the driver's row count, which psycopg may leave unknown (-1).
    counted = [
        session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (CONTACTS, ACCOUNTS)
    ]
    return counted[0], counted[1]
