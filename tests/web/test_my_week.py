"""My week, the signed-in home page of account managers and admins: their own check-ins by due
date with talking points and a one-click completion, champions who moved, coverage gaps."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from flask import Flask
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import Account, CheckIn, User
from advocacy.services.check_ins.my_week import week_end
from advocacy.web.staff.home import LIST_LIMIT
from tests.factories import make_account, make_contact, make_user
from tests.web.check_in_helpers import (
    check_in,
    client_for,
    portfolio,
    post,
    section,
    touchpoint_count,
)


def test_an_account_manager_sees_only_her_own_check_ins_by_due_date(app: Flask) -> None:
    folio = portfolio(app)
    html = client_for(app, folio.owner).get("/").get_data(as_text=True)
    overdue, this_week = section(html, "overdue"), section(html, "this-week")
    upcoming = section(html, "upcoming")
    assert "Acme" in overdue and "Globex" not in overdue
    assert "Globex" in this_week and "Acme" not in this_week
    assert "Umbrella" in upcoming and "Globex" not in upcoming
    # Beyond the next four weeks, and a colleague's check-in: not on her week.
    for part in (overdue, this_week, upcoming):
        assert "Far Co" not in part
    assert "Colleague Co" not in html
    globex = folio.accounts["Globex"]
    assert f'<a href="/accounts/{globex.id}">Globex</a>' in this_week


def test_each_check_in_says_whom_to_call_and_what_to_talk_about(app: Flask) -> None:
    folio = portfolio(app)
    this_week = section(client_for(app, folio.owner).get("/").get_data(as_text=True), "this-week")
    assert "Routine check-in" in this_week
    assert "with Hank Scorpio, Chief executive officer" in this_week
    assert (
        "<strong>Talk about Tax:</strong> Tax is part of what we do that they do not know us for yet."
        in this_week
    )
    assert "Running now: Annual audit" in this_week
    assert "Ann Leaver moved to Initech: follow them there" in this_week
    assert "Quarterly review" in this_week
    assert f'action="/check-ins/{folio.check_ins["Globex"]}/complete"' in this_week


def test_one_click_completion_from_my_week_logs_the_conversation(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    globex = folio.accounts["Globex"]
    before = touchpoint_count(app, globex.id)
    response = post(
        client,
        f"/check-ins/{folio.check_ins['Globex']}/complete",
        outcome="new_need",
        channel="phone",
        notes="They plan a carve-out next spring",
        next_step="Send the Deals team's note",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "Check-in done: the conversation is on the account&#39;s timeline." in html
    assert "Globex" not in section(html, "this-week")
    assert check_in(app, folio.check_ins["Globex"]).status == "done"
    assert touchpoint_count(app, globex.id) == before + 1
    account_page = client.get(f"/accounts/{globex.id}").get_data(as_text=True)
    assert "They plan a carve-out next spring — Send the Deals team&#39;s note" in account_page


def test_a_week_with_nothing_to_do_says_so(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        quiet = make_user(session, email="quiet@firm.example")
        calm = make_account(session, owner=quiet, name="Calm Co")
        make_contact(session, calm, roles=["decision_maker", "sponsor", "procurement"])
        make_contact(session, calm, roles=["user"])
    html = client_for(app, quiet).get("/").get_data(as_text=True)
    assert "Nothing overdue: every check-in is on time." in html
    assert "No check-in due this week." in html
    assert "Nothing planned for the next four weeks yet." in html
    assert "Nothing to act on" in html
    assert "No coverage gap" in html


def test_coverage_gaps_of_her_accounts_are_listed(app: Flask) -> None:
    folio = portfolio(app)
    gaps = section(client_for(app, folio.owner).get("/").get_data(as_text=True), "coverage")
    acme = folio.accounts["Acme"]
    assert f'<a href="/accounts/{acme.id}#stakeholders">Acme</a>' in gaps
    assert "The relationship rests on a single contact." in gaps
    # Globex has a decision maker, a sponsor and procurement: no gap, so it is not listed.
    assert ">Globex<" not in gaps
    # A colleague's accounts are his own business.
    assert "Colleague Co" not in gaps


def test_a_long_list_of_gaps_shows_its_first_ones_and_links_to_all(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        owner = make_user(session, role="account_manager")
        for number in range(LIST_LIMIT + 2):
            account = make_account(session, owner=owner, name=f"Thin {number:02d}")
            make_contact(session, account)  # one contact, no decision maker: two gaps each
    client = client_for(app, owner)
    gaps = section(client.get("/").get_data(as_text=True), "coverage")
    assert gaps.count('<ul class="gaps">') == LIST_LIMIT
    assert f"Showing {LIST_LIMIT} of {LIST_LIMIT + 2}." in gaps
    assert 'href="/?all=1#coverage"' in gaps
    everything = section(client.get("/?all=1").get_data(as_text=True), "coverage")
    assert everything.count('<ul class="gaps">') == LIST_LIMIT + 2
    assert "Show all" not in everything and f">Thin {LIST_LIMIT + 1:02d}<" in everything


def test_champions_who_moved_appear_in_their_own_part_of_my_week(app: Flask) -> None:
    folio = portfolio(app)
    with app.app_context():
        old = make_account(db_session(), owner=folio.owner, name="Old Co")
        champion = make_contact(db_session(), old, full_name="Chris Champion", roles=["sponsor"])
    client = client_for(app, folio.owner)
    moved = post(
        client, f"/contacts/{champion.id}/departure", outcome="left", new_employer="New Co"
    )
    assert moved.status_code == 302
    html = client.get("/").get_data(as_text=True)
    champions = html[
        html.index('id="champions-heading"') : html.index('id="other-signals-heading"')
    ]
    assert "Champion moved: Chris Champion is now at" in champions
    assert "Re-staff the relationship" not in champions
    assert "Re-staff the relationship: who replaces Chris Champion" in html


def test_due_this_week_ends_on_the_viewers_sunday_in_the_viewers_time_zone(app: Flask) -> None:
    folio = portfolio(app)
    # Fourteen hours ahead of UTC: for most of the UTC day, the viewer is already tomorrow.
    zone = "Pacific/Kiritimati"
    with app.app_context():
        session = db_session()
        user = session.get(User, folio.owner.id)
        assert user is not None
        user.timezone = zone
        their_today = datetime.now(zoneinfo.ZoneInfo(zone)).date()
        sunday = week_end(their_today)
        for name, due in (("Globex", sunday), ("Umbrella", sunday + timedelta(days=1))):
            row = session.get(CheckIn, folio.check_ins[name])
            assert row is not None
            row.due_on = due
        session.commit()
    html = client_for(app, folio.owner).get("/").get_data(as_text=True)
    assert "Globex" in section(html, "this-week")
    assert "Umbrella" in section(html, "upcoming")


def test_an_admin_sees_the_check_ins_of_accounts_she_owns_and_the_team_link(app: Flask) -> None:
    folio = portfolio(app)
    with app.app_context():
        session = db_session()
        account = session.exec(select(Account).where(Account.name == "Umbrella")).one()
        account.owner_id = folio.admin.id
        row = session.get(CheckIn, folio.check_ins["Umbrella"])
        assert row is not None
        row.owner_id = folio.admin.id
        session.commit()
    html = client_for(app, folio.admin).get("/").get_data(as_text=True)
    assert "Umbrella" in section(html, "upcoming")
    assert "Globex" not in html
    assert 'href="/check-ins/team"' in html


def test_an_admin_who_owns_no_account_sees_the_firm_in_place_of_an_empty_week(
    app: Flask,
) -> None:
    folio = portfolio(app)  # the firm has coverage gaps, on Maya's accounts
    html = client_for(app, folio.admin).get("/").get_data(as_text=True)
    assert "You own no account" not in html and 'id="my-week"' not in html
    assert 'href="/accounts/' in section(html, "firm-coverage")
    assert 'href="/check-ins/team"' in section(html, "firm-overdue")


def test_my_week_says_how_many_accounts_it_is_about(app: Flask) -> None:
    folio = portfolio(app)
    html = client_for(app, folio.owner).get("/").get_data(as_text=True)
    with app.app_context():
        mine = select(Account).where(Account.owner_id == folio.owner.id)
        owned = len(db_session().exec(mine).all())
    assert f"coverage gaps of the {owned} accounts you own." in html


def test_marketing_keeps_its_home_page_without_check_ins(app: Flask) -> None:
    folio = portfolio(app)
    html = client_for(app, folio.marketing).get("/").get_data(as_text=True)
    assert 'id="new-quotes"' in html and 'id="best-candidates"' in html
    assert "Overdue" not in html and "Due this week" not in html and "Globex" not in html
