"""Property-based run of schemathesis over the OpenAPI document, against the app itself: whatever
a client sends, the API answers without a 5xx, with a documented status and content type, and
with a body that matches the documented schema. Bounded to a few examples per operation."""

from __future__ import annotations

import time

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from advocacy.db import db_session
from tests.factories import (
    bearer,
    make_account,
    make_contact,
    make_service_line,
    make_token,
    make_user,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15
BUDGET_S = 60


def test_the_api_honours_its_openapi_document_for_generated_requests(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        admin = make_user(session, role="admin", password=None)
        account = make_account(session, owner=admin, notes="n")
        make_contact(session, account, email="ana@client.example")
        make_service_line(session, "Audit")
        headers = bearer(make_token(session, admin, ("read", "write")))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        if time.monotonic() - started > BUDGET_S:
            pytest.fail("the schemathesis run went over its time budget")

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
