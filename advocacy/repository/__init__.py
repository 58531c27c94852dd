"""The repository: every query, one module per what it holds; page- and API-shaped reads in
`read_models`. Modules take a Session, add and flush, never commit. Here: what they all share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, col, func

from advocacy.db import SQLITE_LOWER
from advocacy.domain.errors import NotFound
from advocacy.domain.library import like_pattern

Row = TypeVar("Row", bound=SQLModel)


def get_row(session: Session, model: type[Row], row_id: int) -> Row:
    """The row of `model` with this id, or NotFound naming the table."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__tablename__} {row_id} not found")
    return row


def present_ids(values: Iterable[int | None]) -> list[int]:
    """Primary keys as read from the database, typed as what they are.

    The tables declare `id: int | None` (a new row has none until it is flushed); a key read
    back from the database is never None, and this says so to the type checker.
    """
    return [value for value in values if value is not None]


def contains_text(session: Session, column: object, text: str) -> ColumnElement[bool]:
    """`column` contains `text` anywhere, whatever the case of either, wildcards taken literally."""
    pattern = like_pattern(text.lower())
    if session.get_bind().dialect.name == "postgresql":
        return col(column).ilike(pattern, escape="\\")
    if pattern.isascii():
        return col(column).like(pattern, escape="\\")  # folds ASCII itself
    # Slower (Python per row), so only for the words that need it.
    return getattr(func, SQLITE_LOWER)(column).like(pattern, escape="\\")
