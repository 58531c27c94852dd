"""Home pages that fit the role: an administrator sees the firm (coverage gaps and overdue
check-ins across owners, mail health) above their own week; marketing sees the quotes to watch
and its best candidates; an account manager keeps My week. Set-based: the same statements
whatever the firm's size."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import Account, User
from tests.conftest import count_queries
from tests.factories import (
    make_contact,
    make_staff,
    make_testimonial,
    page_html,
    signed_in_client,
)
from tests.factories_checkins import make_check_in
from tests.web.check_in_helpers import section


def _firm(app: Flask, owner: User, accounts: int) -> None:
    """`accounts` thin accounts (one contact each) with an overdue check-in, and a quote each."""
    today = utcnow().date()
    with app.app_context():
        session = db_session()
        for number in range(accounts):
            check_in = make_check_in(
                session,
                owner,
                due_on=today - timedelta(days=number + 1),
                account_name=f"Thin {owner.id}-{number}",
            )
            account = session.get(Account, check_in.account_id)
            contact = make_contact(session, account, full_name=f"Quoter {number}")
            make_testimonial(
                session,
                contact,
                status="approved",
                approved_at=utcnow() - timedelta(days=1),
                uses={"named_public": today + timedelta(days=10)},
                body=f"Quote number {owner.id}-{number}",
            )


def test_each_role_sees_its_own_home(app: Flask) -> None:
    manager = make_staff(app, email="am@firm.example")
    _firm(app, manager, 2)
    admin = signed_in_client(app, make_staff(app, role="admin", email="boss@firm.example"))
    html = page_html(admin, "/")
    assert "Thin " in section(html, "firm-coverage")
    overdue = section(html, "firm-overdue")
    assert "<td>2</td>" in overdue and 'href="/check-ins/team"' in overdue
    assert "new-quotes" not in html

    marketing = signed_in_client(app, make_staff(app, role="marketing", email="m@firm.example"))
    html = page_html(marketing, "/")
    assert "Quote number" in section(html, "new-quotes")
    assert "Quote number" in section(html, "expiring-quotes")
    assert "firm-coverage" not in html and "mail-health" not in html

    html = page_html(signed_in_client(app, manager), "/")
    assert 'id="overdue"' in html and "Thin " in section(html, "overdue")
    assert "firm-coverage" not in html and "new-quotes" not in html


def test_an_admin_who_owns_accounts_keeps_my_week_below_the_firm(app: Flask) -> None:
    admin = make_staff(app, role="admin", email="boss@firm.example")
    _firm(app, admin, 1)
    html = page_html(signed_in_client(app, admin), "/")
    assert html.index('id="firm-coverage"') < html.index('id="overdue"')
    assert "Thin " in section(html, "overdue")


def test_the_admin_and_marketing_homes_send_the_same_queries_for_2_and_12_accounts(
    app: Flask,
) -> None:
    engine = app.extensions["advocacy.engine"]
    admin = signed_in_client(app, make_staff(app, role="admin", email="boss@firm.example"))
    marketing = signed_in_client(app, make_staff(app, role="marketing", email="m@firm.example"))
    counts: dict[str, list[int]] = {"admin": [], "marketing": []}
    for number, grown in enumerate((2, 10)):
        _firm(app, make_staff(app, email=f"owner{number}@firm.example"), grown)
        for name, client in (("admin", admin), ("marketing", marketing)):
            with count_queries(engine) as statements:
                page_html(client, "/")
            counts[name].append(len(statements))
    assert counts["admin"][0] == counts["admin"][1], counts
    assert counts["marketing"][0] == counts["marketing"][1], counts


def test_the_headline_slot_shows_the_numbers_it_is_given_and_nothing_without(app: Flask) -> None:
    from flask import render_template

    from advocacy.domain.analytics.figures import Headline, Unit

    headlines = (
        Headline("nps", "Net promoter score", 32.0, Unit.SCORE, "40 answers"),
        Headline("retention", "Clients kept", 0.85, Unit.SHARE),
        Headline("overdue", "Overdue check-ins", None, Unit.COUNT),
    )
    with app.test_request_context("/"):
        html = render_template("home/_firm_headlines.html", headlines=headlines)
        assert render_template("home/_firm_headlines.html", headlines=()).strip() == ""
    assert "<dt>Net promoter score</dt>" in html and "32" in html and "40 answers" in html
    assert "85%" in html and "<dd>—</dd>" in html
