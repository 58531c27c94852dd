"""Property-based run of schemathesis over the OpenAPI document, against the app itself, with
every check schemathesis has (its default when no checks are named): no 5xx; documented status
codes, content types, headers and bodies; schema-valid requests accepted and schema-violating ones
refused. Requests both fitting and breaking the document are generated, a few per operation."""

from __future__ import annotations

import time

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from advocacy.db import db_session
from tests.conftest import NOW
from tests.factories import (
    bearer,
    make_account,
    make_contact,
    make_service_line,
    make_token,
    make_user,
)

EXAMPLES_PER_OPERATION = 10
BUDGET_S = 90


def _fitting(case: schemathesis.Case, rows: dict[str, int]) -> schemathesis.Case:
    """A fitting request names rows that exist (the account, its owner, its contact...): which
    ids exist cannot be in the document, and naming a missing one is refused (422) as it should."""
    if isinstance(case.body, dict):
        for name, row_id in rows.items():
            if isinstance(case.body.get(name), int | float):  # 3.0 is an integer in JSON
                case.body[name] = row_id
            elif case.body.get(name + "s"):  # a list of ids: the one row of that kind
                case.body[name + "s"] = [row_id]
        # Rules between values, or against the clock, cannot be stated in a JSON schema: "not in
        # the future", "the end is not before the start". Fitting requests keep to them.
        if str(case.body.get("occurred_at", "")) > NOW.isoformat():
            case.body["occurred_at"] = NOW.isoformat()
        start, end = case.body.get("start_date"), case.body.get("end_date")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            case.body["start_date"], case.body["end_date"] = end, start
    return case


def test_the_api_passes_every_schemathesis_check_for_generated_requests(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        admin = make_user(session, role="admin", password=None)
        account = make_account(session, owner=admin, notes="n")
        contact = make_contact(session, account, email="ana@client.example")
        line = make_service_line(session, "Audit")
        rows = {
            "account_id": account.id,
            "owner_id": admin.id,
            "contact_id": contact.id,
            "service_line_id": line.id,
        }
        headers = bearer(make_token(session, admin, ("read", "write")))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() - started > BUDGET_S:
                pytest.fail("the schemathesis run went over its time budget")

            strategy = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                strategy = strategy.map(lambda case: _fitting(case, rows))

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                # No `checks=`: schemathesis then runs all of its checks.
                case.call_and_validate(headers=headers)

            try:
                run()
            except Unsatisfiable:
                # An operation without parameters or body (the docs page) has nothing to break.
                assert mode is GenerationMode.NEGATIVE and not operation.body
            except BaseException as error:  # schemathesis raises exception groups
                if isinstance(error, KeyboardInterrupt | SystemExit):
                    raise
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
