"""Whole-database reads: how many rows each of the product's tables holds."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import advocacy.models  # noqa: F401  (every table registered on the metadata)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per product table present in the database, in dependency order."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in SQLModel.metadata.sorted_tables
            if table.name in present
        }
