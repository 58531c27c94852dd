"""The repository: every query, one module per what it holds; page- and API-shaped reads in
`read_models`. Modules take a Session, add and flush, never commit. Here: what they all share."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, col, func

from advocacy.db import SQLITE_LOWER
from advocacy.domain.errors import NotFound as NotFound  # raised here, defined with the refusals
from advocacy.domain.library import like_pattern

Row = TypeVar("Row", bound=SQLModel)


def get_row(session: Session, model: type[Row], row_id: int) -> Row:
    """The row of `model` with this id, or NotFound naming the table."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__tablename__} {row_id} not found")  # type: ignore[attr-defined]
    return row


def contains_text(session: Session, column: object, text: str) -> ColumnElement[bool]:
    """`column` contains `text` anywhere, whatever the case of either, wildcards taken literally."""
    pattern = like_pattern(text.lower())
    if session.get_bind().dialect.name == "postgresql":
        return col(column).ilike(pattern, escape="\\")  # type: ignore[arg-type]
    if pattern.isascii():
        return col(column).like(pattern, escape="\\")  # type: ignore[arg-type]  # folds ASCII itself
    # Slower (Python per row), so only for the words that need it.
    return getattr(func, SQLITE_LOWER)(column).like(pattern, escape="\\")  # type: ignore[no-any-return]
