"""The staff pages and the API's lists send the same statements whatever the size of the firm:
each is counted on a firm, then again after the firm grew (more accounts, and more contacts,
engagements, touchpoints, testimonials and check-ins on the account shown). A count that grows
is a query per row (N+1), which a large firm pays on every visit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from advocacy.db import db_session
from advocacy.models import Account, Contact, User
from advocacy.services.scoring import recompute
from tests.conftest import NOW, count_queries
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_staff,
    make_testimonial,
    make_token,
    make_touchpoint,
    signed_in_client,
)
from tests.factories_checkins import make_check_in

STAFF_PAGES = (
    "/",
    "/accounts",
    "/accounts/{account}",
    "/contacts/{contact}",
    "/advocates",
    "/library",
    "/analytics",
)
API_LISTS = ("accounts", "contacts", "engagements", "touchpoints", "testimonials", "check-ins")


def _enrich(account: Account, owner: User, lines: list[int], rows: int) -> Contact:
    """`rows` contacts, engagements, touchpoints and testimonials more at `account`, and a
    check-in for `owner`; the first new contact."""
    session = db_session()
    first = None
    for n in range(rows):
        contact = make_contact(
            session,
            account,
            full_name=f"Person {account.id}-{n}",
            email=f"p{n}@{account.id}.example",
        )
        first = first or contact
        make_engagement(
            session,
            account,
            status="completed",
            service_line_ids=[lines[n % len(lines)]],
            contact_ids=[contact.id],
        )
        make_touchpoint(
            session,
            account,
            contact_id=contact.id,
            initiative="client",
            occurred_at=NOW - timedelta(days=n + 1),
        )
        make_testimonial(
            session, contact, status="approved", uses={"named_public": None, "internal": None}
        )
    make_check_in(session, owner, due_on=NOW.date() + timedelta(days=2))
    assert first is not None
    return first


def _grow(app: Flask, owner: User, account_id: int | None, lines: list[int]) -> tuple[int, int]:
    """Three more accounts of `owner`, each with two of everything, and two more of everything
    at the account shown (made now when there is none); its id and its first contact's."""
    with app.app_context():
        session = db_session()
        shown = session.get(Account, account_id) if account_id else None
        if shown is None:
            shown = make_account(session, owner=owner, name="Shown Account", industry="Logistics")
        contact = _enrich(shown, owner, lines, 2)
        for number in range(3):
            other = make_account(session, owner=owner, name=f"Client {number} of {shown.id}")
            _enrich(other, owner, lines, 2)
        recompute.recompute_all(session, now=NOW, rules=recompute.ScoringRules())
        return shown.id or 0, contact.id or 0


def _counts(app: Flask, client: FlaskClient, token: str, ids: dict[str, Any]) -> dict[str, int]:
    engine = app.extensions["advocacy.engine"]
    found = {}
    for path in [p.format(**ids) for p in STAFF_PAGES]:
        client.get(path)  # warm: what a first visit alone loads (caches, the session's user)
        with count_queries(engine) as statements:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found[path] = len(statements)
    headers = {"Authorization": f"Bearer {token}"}
    for name in API_LISTS:
        path = f"/api/v1/{name}"
        with count_queries(engine) as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        found[path] = len(statements)
    return found


def test_no_page_sends_more_statements_when_the_firm_grows(app: Flask) -> None:
    owner = make_staff(app, role="account_manager", email="owner@firm.example")
    with app.app_context():
        session = db_session()
        lines = [make_service_line(session, name).id for name in ("Tax", "Audit", "ESG")]
        token = make_token(session, owner, ("read",))
    account_id, contact_id = _grow(app, owner, None, lines)
    client = signed_in_client(app, owner)
    ids = {"account": account_id, "contact": contact_id}
    before = _counts(app, client, token, ids)
    _grow(app, owner, account_id, lines)
    after = _counts(app, client, token, ids)
    grew = {
        path: f"{before[path]} -> {after[path]}" for path in before if after[path] > before[path]
    }
    assert grew == {}, grew
