"""A small portfolio with check-ins for the My week and check-in page tests.

Check-ins are made the real way (`generate_due`), then given due dates around today's real date,
because the pages read the wall clock: overdue, this week, upcoming, and beyond the four weeks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.domain.cadence import CadenceRules
from advocacy.models import Account, CheckIn, Touchpoint, User
from advocacy.services.check_ins import generation
from advocacy.services.check_ins.my_week import week_end
from advocacy.services.journey.people import record_departure
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_touchpoint,
    make_user,
    sign_in,
)

RULES = CadenceRules()
# Two weeks after the factories' NOW: every active account's first check-in has come due, and
# the touchpoint logged just before NOW is still recent enough to be a talking point.
GENERATED_AT = NOW + timedelta(days=14)


@dataclass
class Portfolio:
    owner: User
    colleague: User
    admin: User
    marketing: User
    accounts: dict[str, Account]
    check_ins: dict[str, int]  # account name -> its open check-in's id


def today() -> date:
    """Today for a viewer in UTC (the test users have no time zone of their own)."""
    return datetime.now(UTC).date()


def _active_account(session: Any, owner: User, name: str, **contact: Any) -> Account:
    account = make_account(session, owner=owner, name=name)
    make_engagement(session, account, status="active", by=owner, title=f"{name} mandate")
    make_contact(session, account, **contact)
    return account


def portfolio(app: Flask) -> Portfolio:
    """Accounts of one account manager due overdue / this week / upcoming / later, and one of a
    colleague's due today; Globex has rich talking points."""
    with app.app_context():
        session = db_session()
        owner = make_user(session, email="maya@firm.example", name="Maya Chen")
        colleague = make_user(session, email="colin@firm.example", name="Colin")
        admin = make_user(session, role="admin", email="ada@firm.example", name="Ada")
        marketing = make_user(session, role="marketing", email="mo@firm.example")
        audit = make_service_line(session, "Audit")
        make_service_line(session, "Tax")
        make_service_line(session, "Deals")
        globex = make_account(session, owner=owner, name="Globex")
        make_engagement(
            session,
            globex,
            status="active",
            title="Annual audit",
            service_line_ids=[audit.id],
            by=owner,
        )
        hank = make_contact(
            session,
            globex,
            full_name="Hank Scorpio",
            title="Chief executive officer",
            influence=5,
            seniority="c_level",
            roles=["decision_maker", "sponsor"],
        )
        make_contact(session, globex, full_name="Frank Grimes", roles=["procurement"])
        make_touchpoint(session, globex, contact_id=hank.id, summary="Quarterly review")
        leaver = make_contact(session, globex, full_name="Ann Leaver")
        record_departure(
            session,
            leaver.id,
            retired=False,
            on=NOW.date(),
            new_employer="Initech",
            by=owner,
            now=NOW,
        )
        accounts = {
            "Globex": globex,
            "Acme": _active_account(session, owner, "Acme", full_name="Alice Only"),
            "Umbrella": _active_account(session, owner, "Umbrella"),
            "Far Co": _active_account(session, owner, "Far Co"),
            "Colleague Co": _active_account(session, colleague, "Colleague Co"),
        }
        generation.generate_due(session, RULES, now=GENERATED_AT)
        ends = week_end(today())
        due = {
            "Globex": today(),
            "Acme": today() - timedelta(days=3),
            "Umbrella": ends + timedelta(days=10),
            "Far Co": ends + timedelta(days=40),
            "Colleague Co": today(),
        }
        ids = {}
        for name, account in accounts.items():
            check_in = session.exec(select(CheckIn).where(CheckIn.account_id == account.id)).one()
            check_in.due_on = due[name]
            ids[name] = check_in.id
        session.commit()
        return Portfolio(owner, colleague, admin, marketing, accounts, ids)


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user.email)
    return client


def post(client: FlaskClient, path: str, **data: Any) -> Any:
    """POST a form with the session's CSRF token (read from the home page, as a browser would)."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def check_in(app: Flask, check_in_id: int) -> CheckIn:
    with app.app_context():
        session = db_session()
        row = session.get(CheckIn, check_in_id)
        assert row is not None
        session.expunge(row)
        return row


def touchpoint_count(app: Flask, account_id: int) -> int:
    with app.app_context():
        query = select(Touchpoint).where(Touchpoint.account_id == account_id)
        return len(db_session().exec(query).all())


def section(html: str, section_id: str) -> str:
    """The HTML of one card of a page, by its id (cards do not nest sections of their own)."""
    match = re.search(rf'<section class="card" id="{section_id}".*?</section>', html, re.DOTALL)
    assert match, f"no section {section_id}"
    return match.group(0)
