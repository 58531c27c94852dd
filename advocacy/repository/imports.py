"""Query helpers for CSV import and export: batch look-ups by external id, e-mail or name, and
pages of rows for export. They take a Session, add and flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain import erasure
from advocacy.models import (
    Account,
    AccountTeamMember,
    Contact,
    ContactRole,
    Engagement,
    EngagementServiceLine,
    ImportMapping,
    Person,
    ServiceLine,
    Suppression,
    Touchpoint,
    User,
)

# Small enough for every database's limit on bound parameters, big enough to keep round trips few.
CHUNK = 500
EXPORT_PAGE = 1000
T = TypeVar("T")


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def accounts_by_external_ids(session: Session, ids: Iterable[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    for batch in chunks(set(ids)):
        for account in session.exec(select(Account).where(col(Account.external_id).in_(batch))):
            found[account.external_id or ""] = account
    return found


def accounts_by_names(session: Session, names: Iterable[str]) -> dict[str, Account]:
    """Lower-cased name → account (the oldest one when two share a name)."""
    found: dict[str, Account] = {}
    wanted = {name.strip().lower() for name in names}
    for batch in chunks(wanted):
        query = select(Account).where(func.lower(Account.name).in_(batch))
        for account in session.exec(query.order_by(col(Account.id))):
            found.setdefault(account.name.strip().lower(), account)
    return found


def all_accounts(session: Session) -> list[Account]:
    """Every account, oldest first: a contacts file may name any of them, spelt its own way."""
    return list(session.exec(select(Account).order_by(col(Account.id))))


def contact_emails_by_account(session: Session) -> Iterator[tuple[int, str]]:
    """(account id, e-mail) of every contact with an address, oldest contact first."""
    query = (
        select(Contact.account_id, Contact.email)
        .where(col(Contact.email).is_not(None))
        .order_by(col(Contact.id))
    )
    for account_id, email in session.exec(query):
        yield account_id, email or ""


def users_by_emails(session: Session, emails: Iterable[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for batch in chunks(set(emails)):
        for user in session.exec(select(User).where(col(User.email).in_(batch))):
            found[user.email] = user
    return found


def team_account_ids(session: Session, user_id: int) -> set[int]:
    """Accounts whose team `user_id` belongs to."""
    query = select(AccountTeamMember.account_id).where(AccountTeamMember.user_id == user_id)
    return set(session.exec(query))


def contacts_by_external_ids(session: Session, ids: Iterable[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for batch in chunks(set(ids)):
        for contact in session.exec(select(Contact).where(col(Contact.external_id).in_(batch))):
            found[contact.external_id or ""] = contact
    return found


def contacts_by_emails(session: Session, emails: Iterable[str]) -> dict[str, list[Contact]]:
    """E-mail → contacts with it (a person who moved has one per employer), oldest first."""
    found: dict[str, list[Contact]] = defaultdict(list)
    for batch in chunks(set(emails)):
        query = select(Contact).where(col(Contact.email).in_(batch)).order_by(col(Contact.id))
        for contact in session.exec(query):
            found[contact.email or ""].append(contact)
    return found


def erased_addresses(session: Session, emails: Iterable[str]) -> set[str]:
    """Those of `emails` that belonged to a person erased on request (kept as fingerprints)."""
    by_fingerprint = {erasure.fingerprint(email): email for email in emails}
    found: set[str] = set()
    for batch in chunks(set(by_fingerprint)):
        query = select(Suppression.email).where(
            col(Suppression.email).in_(batch),
            col(Suppression.reason) == erasure.SUPPRESSION_REASON,
        )
        found.update(by_fingerprint[value] for value in session.exec(query))
    return found


def contacts_by_names_at(
    session: Session, account_ids: Iterable[int]
) -> dict[tuple[int, str], Contact]:
    """(account id, lower-cased full name) → contact, for rows with neither id nor e-mail."""
    found: dict[tuple[int, str], Contact] = {}
    for batch in chunks(set(account_ids)):
        query = (
            select(Contact, Person.full_name)
            .join(Person, col(Person.id) == Contact.person_id)
            .where(col(Contact.account_id).in_(batch))
            .order_by(col(Contact.id))
        )
        for contact, full_name in session.exec(query):
            found.setdefault((contact.account_id, full_name.strip().lower()), contact)
    return found


def people_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    found: dict[int, Person] = {}
    for batch in chunks(set(ids)):
        for person in session.exec(select(Person).where(col(Person.id).in_(batch))):
            found[person.id or 0] = person
    return found


def roles_by_contact(session: Session, contact_ids: Iterable[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for batch in chunks(set(contact_ids)):
        for row in session.exec(select(ContactRole).where(col(ContactRole.contact_id).in_(batch))):
            found[row.contact_id].add(row.role)
    return found


def engagements_by_external_ids(session: Session, ids: Iterable[str]) -> dict[str, Engagement]:
    found: dict[str, Engagement] = {}
    for batch in chunks(set(ids)):
        query = select(Engagement).where(col(Engagement.external_id).in_(batch))
        for engagement in session.exec(query):
            found[engagement.external_id or ""] = engagement
    return found


def engagements_by_titles_at(
    session: Session, account_ids: Iterable[int]
) -> dict[tuple[int, str], Engagement]:
    found: dict[tuple[int, str], Engagement] = {}
    for batch in chunks(set(account_ids)):
        query = select(Engagement).where(col(Engagement.account_id).in_(batch))
        for engagement in session.exec(query.order_by(col(Engagement.id))):
            found.setdefault((engagement.account_id, engagement.title.strip().lower()), engagement)
    return found


def service_line_ids_by_engagement(session: Session, ids: Iterable[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for batch in chunks(set(ids)):
        query = select(EngagementServiceLine).where(
            col(EngagementServiceLine.engagement_id).in_(batch)
        )
        for link in session.exec(query):
            found[link.engagement_id].add(link.service_line_id)
    return found


def service_lines_by_name(session: Session) -> dict[str, ServiceLine]:
    """The whole catalogue (it is small), by lower-cased name."""
    return {line.name.strip().lower(): line for line in session.exec(select(ServiceLine))}


def touchpoints_by_external_ids(session: Session, ids: Iterable[str]) -> dict[str, Touchpoint]:
    found: dict[str, Touchpoint] = {}
    for batch in chunks(set(ids)):
        query = select(Touchpoint).where(col(Touchpoint.external_id).in_(batch))
        for touchpoint in session.exec(query):
            found[touchpoint.external_id or ""] = touchpoint
    return found


def touchpoints_at_times(
    session: Session, times: Iterable[datetime]
) -> dict[tuple[int, str, datetime], Touchpoint]:
    """(account id, kind, occurred at) → touchpoint, for rows without an external id."""
    found: dict[tuple[int, str, datetime], Touchpoint] = {}
    for batch in chunks(set(times)):
        query = select(Touchpoint).where(col(Touchpoint.occurred_at).in_(batch))
        for touchpoint in session.exec(query.order_by(col(Touchpoint.id))):
            key = (touchpoint.account_id, touchpoint.kind, touchpoint.occurred_at)
            found.setdefault(key, touchpoint)
    return found


# --- saved mappings ---------------------------------------------------------------------------


def mapping_by_name(session: Session, kind: str, name: str) -> ImportMapping | None:
    query = select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.name == name)
    return session.exec(query).first()


def mappings_of(session: Session, kind: str | None = None) -> list[ImportMapping]:
    query = select(ImportMapping).order_by(col(ImportMapping.kind), col(ImportMapping.name))
    if kind is not None:
        query = query.where(ImportMapping.kind == kind)
    return list(session.exec(query))


# --- export pages -----------------------------------------------------------------------------


def pages(session: Session, query: Any, id_column: Any) -> Iterator[Sequence[Any]]:
    """Rows of `query` in pages by ascending id, so no cursor stays open while pages are used."""
    last = 0
    while True:
        page = list(
            session.exec(query.where(id_column > last).order_by(id_column).limit(EXPORT_PAGE))
        )
        if not page:
            return
        yield page
        last = page[-1][0].id  # every export query selects the table's model first


def export_accounts_query() -> Any:
    return select(Account, User.email).join(User, col(User.id) == Account.owner_id, isouter=True)


def export_contacts_query() -> Any:
    return (
        select(Contact, Person.full_name, Account.external_id, Account.name)
        .join(Person, col(Person.id) == Contact.person_id)
        .join(Account, col(Account.id) == Contact.account_id)
    )


def export_engagements_query() -> Any:
    return select(Engagement, Account.external_id, Account.name).join(
        Account, col(Account.id) == Engagement.account_id
    )


def export_touchpoints_query() -> Any:
    return (
        # Five columns: more than sqlmodel's typed `select` takes, so SQLAlchemy's own.
        sqlalchemy.select(
            Touchpoint,
            col(Account.external_id),
            col(Account.name),
            col(Contact.external_id),
            col(Contact.email),
        )
        .join(Account, col(Account.id) == Touchpoint.account_id)
        .join(Contact, col(Contact.id) == Touchpoint.contact_id, isouter=True)
    )
