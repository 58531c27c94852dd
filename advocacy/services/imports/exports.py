"""CSV export use case: every table as rows of text, safe to open in a spreadsheet.

Anything a client wrote is untrusted: cells that a spreadsheet would run as a formula are
neutralised. The columns are the import's field names, so an export imports back as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col

from advocacy.domain.audit import Action
from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_import import export_columns, neutralise_cell
from advocacy.models import Account, Contact, Engagement, Touchpoint, User
from advocacy.repository import audit, imports


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _accounts(session: Session) -> Iterator[dict[str, Any]]:
    query = imports.export_accounts_query()
    for page in imports.pages(session, query, col(Account.id)):
        for account, owner_email in page:
            yield {**account.model_dump(), "owner_email": owner_email}


def _contacts(session: Session) -> Iterator[dict[str, Any]]:
    query = imports.export_contacts_query()
    for page in imports.pages(session, query, col(Contact.id)):
        roles = imports.roles_by_contact(session, [contact.id for contact, *_ in page])
        for contact, full_name, account_external_id, account_name in page:
            yield {
                **contact.model_dump(),
                "full_name": full_name,
                "account_external_id": account_external_id,
                "account_name": account_name,
                "roles": ";".join(sorted(roles.get(contact.id, set()))),
            }


def _engagements(session: Session) -> Iterator[dict[str, Any]]:
    names = {line.id: line.name for line in imports.service_lines_by_name(session).values()}
    query = imports.export_engagements_query()
    for page in imports.pages(session, query, col(Engagement.id)):
        lines = imports.service_line_ids_by_engagement(session, [e.id for e, *_ in page])
        for engagement, account_external_id, account_name in page:
            yield {
                **engagement.model_dump(),
                "account_external_id": account_external_id,
                "account_name": account_name,
                "service_lines": ";".join(
                    sorted(names[i] for i in lines.get(engagement.id, set()) if i in names)
                ),
            }


def _touchpoints(session: Session) -> Iterator[dict[str, Any]]:
    names = {line.id: line.name for line in imports.service_lines_by_name(session).values()}
    query = imports.export_touchpoints_query()
    for page in imports.pages(session, query, col(Touchpoint.id)):
        for touchpoint, account_ext, account_name, contact_ext, contact_email in page:
            yield {
                **touchpoint.model_dump(),
                "account_external_id": account_ext,
                "account_name": account_name,
                "contact_external_id": contact_ext,
                "contact_email": contact_email,
                "service_line": names.get(touchpoint.service_line_id, ""),
            }


SOURCES: dict[Kind, Callable[[Session], Iterator[dict[str, Any]]]] = {
    Kind.ACCOUNTS: _accounts,
    Kind.CONTACTS: _contacts,
    Kind.ENGAGEMENTS: _engagements,
    Kind.TOUCHPOINTS: _touchpoints,
}


def export_rows(session: Session, kind: Kind) -> Iterator[Sequence[str]]:
    """The header, then one row per record, page by page; every cell neutralised."""
    columns = export_columns(kind)
    yield columns
    for record in SOURCES[kind](session):
        yield [neutralise_cell(_text(record.get(name))) for name in columns]


def record_export(session: Session, kind: Kind, *, by: User | None, now: datetime) -> None:
    """Note in the audit log that a table is leaving the product, before its rows are streamed."""
    audit.record(
        session,
        Action.EXPORT_RUN,
        actor=audit.user_actor(by) if by else None,
        details={"kind": kind.value},
        now=now,
    )
    session.commit()
