"""Which contacts a bulk read is about: a list of ids, or a range of ids.

The full score recompute walks every contact in id order, so each of its chunks is exactly the
contacts from its first id to its last: a range costs two parameters, where an IN list of 2,000
ids is expanded and bound afresh for every query of every chunk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, CursorResult
from sqlalchemy.sql.selectable import TypedReturnsRows
from sqlmodel import Session


@dataclass(frozen=True)
class IdRange:
    """The contacts whose id is between `first` and `last`, both included."""

    first: int
    last: int


ContactSelection = Collection[int] | IdRange


def among(column: Any, contacts: ContactSelection) -> ColumnElement[bool]:
    """The condition `column` is one of these contacts."""
    if isinstance(contacts, IdRange):
        return column.between(contacts.first, contacts.last)
    return column.in_(sorted(set(contacts)))


def is_empty(contacts: ContactSelection) -> bool:
    """Whether the selection cannot hold any contact."""
    if isinstance(contacts, IdRange):
        return contacts.last < contacts.first
    return not contacts


Columns = TypeVarTuple("Columns")


def core_rows(session: Session, statement: TypedReturnsRows[*Columns]) -> CursorResult[*Columns]:
    """Run a read of columns on the session's connection, as plain rows.

    The ORM's result machinery costs more than the database on the bulk reads of the full score
    recompute; pending changes are flushed first, as the session's autoflush would.
    """
    session.flush()
    return session.connection().execute(statement)
