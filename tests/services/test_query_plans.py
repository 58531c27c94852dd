"""The hot reads use their indexes: the database's own plan for the statement the read model
sends, on SQLite and on PostgreSQL. (Timing is for benchmarks; the plan is what can be tested.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.repository.read_models.accounts import AccountFilter, list_accounts
from tests.factories import make_account


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def plan_of(engine: Engine, statement: str, parameters: Any) -> str:
    """The database's plan for one statement as it was sent, parameters included."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            # A test database is small enough for a sort to look cheaper than any index: rule
            # sorts and full scans out, so the plan shows whether the index can serve the order.
            cursor.execute("SET enable_sort = off")
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())
    finally:
        raw.close()


def test_a_page_far_down_the_accounts_list_is_read_in_index_order(
    session: Session, engine: Engine
) -> None:
    for number in range(30):
        make_account(session, name=f"{'aAbB'[number % 4]}ccount {number:02d}")
    with statements_sent(engine) as sent:
        page = list_accounts(session, AccountFilter(page=2))
    assert page.rows  # the second page of 20 has the last ten
    [(statement, parameters)] = [(s, p) for s, p in sent if "OFFSET" in s.upper()]
    plan = plan_of(engine, statement, parameters)
    assert "ix_accounts_name_order" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_the_next_page_of_the_accounts_list_seeks_the_index_from_the_last_account(
    session: Session, engine: Engine
) -> None:
    accounts = [make_account(session, name=f"{'aAbB'[n % 4]}ccount {n:02d}") for n in range(60)]
    last_of_page_one = list_accounts(session, AccountFilter(page=1)).rows[-1].id
    with statements_sent(engine) as sent:
        page = list_accounts(session, AccountFilter(page=2, after=last_of_page_one))
    assert len(page.rows) == 10 and len(accounts) == 60  # fifty a page
    [(statement, parameters)] = [(s, p) for s, p in sent if "LIMIT" in s.upper() and "lower" in s]
    # No walk over the rows before it: compared with the last account's key, offset nought
    # (SQLite's dialect always writes an OFFSET after a LIMIT).
    assert ") > (" in statement, statement
    assert "OFFSET" not in statement.upper() or list(parameters)[-1] == 0, (statement, parameters)
    plan = plan_of(engine, statement, parameters)
    assert "ix_accounts_name_order" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
