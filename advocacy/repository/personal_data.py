"""Every row that is about one person: found through the schema's foreign keys (domain rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session, SQLModel

import advocacy.models  # noqa: F401  (every table registered on the metadata)
from advocacy.domain import personal_data as rules

Rows = dict[str, list[dict[str, Any]]]


def person_ids_by_email(session: Session, email: str) -> list[int]:
    """The people who have been a contact with this e-mail address (usually one)."""
    contacts = _table(rules.CONTACT_TABLE)
    query = (
        select(contacts.c.person_id)
        .where(func.lower(contacts.c.email) == rules.normalised_email(email))
        .distinct()
    )
    return sorted(int(value) for value in session.execute(query).scalars())


def contact_ids_by_email(session: Session, email: str) -> list[int]:
    """The contacts with this e-mail address, whatever its case."""
    contacts = _table(rules.CONTACT_TABLE)
    query = select(contacts.c.id).where(
        func.lower(contacts.c.email) == rules.normalised_email(email)
    )
    return sorted(int(value) for value in session.execute(query).scalars())


def rows_about(session: Session, person_id: int) -> Rows:
    """The person's rows in every table that holds some, keyed by table name, by id."""
    found: Rows = {rules.PERSON_TABLE: _where(session, rules.PERSON_TABLE, "id", [person_id])}
    if not found[rules.PERSON_TABLE]:
        return {}
    found[rules.CONTACT_TABLE] = _where(session, rules.CONTACT_TABLE, "person_id", [person_id])
    contact_ids = _ids(found[rules.CONTACT_TABLE])
    emails = sorted(
        {rules.normalised_email(row["email"]) for row in found[rules.CONTACT_TABLE] if row["email"]}
    )
    for table in SQLModel.metadata.sorted_tables:
        if table.name in (rules.PERSON_TABLE, rules.CONTACT_TABLE) or table.name in rules.PARTS:
            continue
        key = [column.name for column in table.primary_key.columns]
        rows = {
            tuple(row[name] for name in key): row
            for column in _columns_pointing_at(table, rules.CONTACT_TABLE)
            for row in _where(session, table.name, column, contact_ids)
        }
        if table.name in rules.BY_EMAIL and emails:
            for row in _where_email(session, table.name, rules.BY_EMAIL[table.name], emails):
                rows[tuple(row[name] for name in key)] = row
        if rows:
            found[table.name] = [rows[found_key] for found_key in sorted(rows)]
    for part, (column, whole) in rules.PARTS.items():
        rows_of_part = _where(session, part, column, _ids(found.get(whole, [])))
        if rows_of_part:
            found[part] = rows_of_part
    return found


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _columns_pointing_at(table: Table, target: str) -> list[str]:
    return [
        column.name
        for column in table.columns
        if any(key.column.table.name == target for key in column.foreign_keys)
    ]


def _ids(rows: Iterable[dict[str, Any]]) -> list[int]:
    return [int(row["id"]) for row in rows if "id" in row]


def _where(session: Session, name: str, column: str, values: list[int]) -> list[dict[str, Any]]:
    if not values:
        return []
    table = _table(name)
    query = select(table).where(table.c[column].in_(values)).order_by(*table.primary_key.columns)
    return [dict(row) for row in session.execute(query).mappings()]


def _where_email(
    session: Session, name: str, column: str, emails: list[str]
) -> list[dict[str, Any]]:
    table = _table(name)
    query = (
        select(table)
        .where(func.lower(table.c[column]).in_(emails))
        .order_by(*table.primary_key.columns)
    )
    return [dict(row) for row in session.execute(query).mappings()]
