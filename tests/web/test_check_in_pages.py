"""The check-in page and its actions per role; bad input refused with nothing written; the
account page's check-ins panel and rhythm form; the admins' team view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import Account, CheckIn, Contact, Person
from tests.web.check_in_helpers import (
    Portfolio,
    check_in,
    client_for,
    portfolio,
    post,
    today,
    touchpoint_count,
)


def _url(folio: Portfolio, action: str = "", name: str = "Globex") -> str:
    return f"/check-ins/{folio.check_ins[name]}" + (f"/{action}" if action else "")


def test_the_check_in_page_shows_the_details_talking_points_and_forms(app: Flask) -> None:
    folio = portfolio(app)
    html = client_for(app, folio.owner).get(_url(folio)).get_data(as_text=True)
    globex = folio.accounts["Globex"]
    assert "<h1>Check-in: Globex</h1>" in html
    assert f'href="/accounts/{globex.id}"' in html and 'href="/">Back to My week' in html
    assert "Hank Scorpio</a>, Chief executive officer" in html
    assert (
        "<strong>Talk about Tax:</strong> Tax is part of what we do that they do not know us for yet."
        in html
    )
    for action in ("complete", "snooze", "reassign", "skip"):
        assert f'action="{_url(folio, action)}"' in html
    # The reassign select offers active account managers and admins, not marketing.
    assert ">Colin</option>" in html and ">Ada</option>" in html and "mo@firm.example" not in html


def test_a_colleague_outside_the_team_reads_the_check_in_but_may_not_change_it(
    app: Flask,
) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.colleague)
    html = client.get(_url(folio)).get_data(as_text=True)
    assert "Talk about Deals:" in html and f'action="{_url(folio, "skip")}"' not in html
    for action, data in (
        ("complete", {"outcome": "spoke", "channel": "phone"}),
        ("snooze", {"until": (today() + timedelta(days=3)).isoformat()}),
        ("reassign", {"user_id": str(folio.colleague.id)}),
        ("skip", {"reason": "Mine now"}),
    ):
        assert post(client, _url(folio, action), **data).status_code == 403, action
    assert check_in(app, folio.check_ins["Globex"]).status == "open"


def test_marketing_is_refused_on_every_check_in_page(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.marketing)
    assert client.get(_url(folio)).status_code == 403
    assert client.get("/check-ins/team").status_code == 403
    for action in ("complete", "snooze", "reassign", "skip"):
        assert post(client, _url(folio, action), outcome="spoke").status_code == 403


def test_completing_with_notes_puts_the_conversation_on_the_account_timeline(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    with app.app_context():
        frank = (
            db_session()
            .exec(
                select(Contact)
                .join(Person, Person.id == Contact.person_id)
                .where(Person.full_name == "Frank Grimes")
            )
            .one()
        )
    notes = "Spoke about <script>alert('x')</script> the carve-out"
    response = post(
        client,
        _url(folio, "complete"),
        outcome="spoke",
        channel="video",
        contact_id=str(frank.id),
        notes=notes,
        next_step="Call again after the board",
        next_on=(today() + timedelta(days=20)).isoformat(),
    )
    assert response.status_code == 302
    done = check_in(app, folio.check_ins["Globex"])
    assert done.status == "done" and done.contact_id == frank.id and done.touchpoint_id
    page = client.get(f"/accounts/{folio.accounts['Globex'].id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; the carve-out" in page
    assert "<script>alert" not in page
    # The check-in page now says how it went, escaped the same way, with no form left.
    html = client.get(_url(folio)).get_data(as_text=True)
    assert "Done on" in html and "We spoke" in html and "<script>alert" not in html
    assert f'action="{_url(folio, "complete")}"' not in html
    with app.app_context():
        account = db_session().get(Account, folio.accounts["Globex"].id)
        assert account is not None
        assert account.next_check_in_on == today() + timedelta(days=20)


def test_a_closed_check_in_refuses_a_second_completion_with_the_reason(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    data = {"outcome": "spoke", "channel": "phone", "notes": "First call"}
    assert post(client, _url(folio, "complete"), **data).status_code == 302
    count = touchpoint_count(app, folio.accounts["Globex"].id)
    again = post(client, _url(folio, "complete"), **{**data, "notes": "Second call"})
    assert again.status_code == 422
    assert "This check-in is already closed." in again.get_data(as_text=True)
    assert touchpoint_count(app, folio.accounts["Globex"].id) == count
    assert check_in(app, folio.check_ins["Globex"]).notes == "First call"


def test_snooze_moves_the_due_date_and_reassign_hands_it_over(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    later = today() + timedelta(days=5)
    response = post(client, _url(folio, "snooze"), until=later.isoformat())
    assert response.status_code == 302 and response.headers["Location"] == _url(folio)
    assert check_in(app, folio.check_ins["Globex"]).due_on == later
    assert "Check-in snoozed." in client.get(_url(folio)).get_data(as_text=True)
    assert post(client, _url(folio, "reassign"), user_id=str(folio.colleague.id)).status_code == 302
    assert check_in(app, folio.check_ins["Globex"]).owner_id == folio.colleague.id
    # Handed over: it leaves her week and lands on his.
    assert "Hank Scorpio" not in client.get("/").get_data(as_text=True)
    his_week = client_for(app, folio.colleague).get("/").get_data(as_text=True)
    assert "Hank Scorpio" in his_week


def test_skip_closes_the_check_in_with_its_reason(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    response = post(client, _url(folio, "skip"), reason="Client   on holiday until January")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    skipped = check_in(app, folio.check_ins["Globex"])
    assert skipped.status == "skipped" and skipped.skip_reason == "Client on holiday until January"
    assert "Client on holiday until January" in client.get(_url(folio)).get_data(as_text=True)


def _bad_inputs(folio: Portfolio) -> list[tuple[str, dict[str, Any], int, str]]:
    """(action, form, status, message shown) for input that must change nothing."""
    past = (today() - timedelta(days=1)).isoformat()
    marketing = str(folio.marketing.id)
    with_notes = {"channel": "phone", "notes": "Talked about the carve-out"}
    return [
        ("complete", {**with_notes, "outcome": "great"}, 400, "Not a valid choice"),
        ("complete", {**with_notes, "outcome": "spoke", "channel": "fax"}, 400, "Not a valid"),
        (
            "complete",
            {**with_notes, "outcome": "spoke", "next_on": "2027-02-30"},
            400,
            "valid date",
        ),
        ("complete", {**with_notes, "outcome": "spoke", "next_on": "soon"}, 400, "valid date"),
        ("complete", {**with_notes, "outcome": "spoke", "next_on": past}, 422, "after today"),
        ("complete", {"outcome": "spoke", "channel": "phone", "notes": "x" * 5001}, 400, "5000"),
        ("complete", {"outcome": "spoke", "channel": "phone", "next_step": "x" * 501}, 400, "500"),
        ("complete", {**with_notes, "outcome": "spoke", "contact_id": "999999"}, 400, "valid"),
        ("complete", {"outcome": "spoke", "channel": "phone", "notes": "a\x00b"}, 400, ""),
        ("snooze", {"until": ""}, 400, "required"),
        ("snooze", {"until": "next week"}, 400, "valid date"),
        ("snooze", {"until": today().isoformat()}, 422, "after today"),
        ("snooze", {"until": (today() + timedelta(days=400)).isoformat()}, 422, "within a year"),
        ("reassign", {"user_id": marketing}, 400, "Not a valid choice"),
        ("reassign", {"user_id": "someone"}, 400, "Not a valid choice"),
        ("skip", {"reason": "   "}, 422, "Say why this check-in is skipped."),
        ("skip", {"reason": "x" * 501}, 400, "500"),
    ]


def test_bad_input_is_refused_with_the_reason_and_nothing_changes(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    before = check_in(app, folio.check_ins["Globex"])
    touchpoints = touchpoint_count(app, folio.accounts["Globex"].id)
    for action, data, status, message in _bad_inputs(folio):
        response = post(client, _url(folio, action), **data)
        assert response.status_code == status, (action, data, response.status_code)
        html = response.get_data(as_text=True)
        assert message in html, (action, data)
        if data.get("notes") == "Talked about the carve-out":  # the form comes back filled
            assert "Talked about the carve-out</textarea>" in html, (action, data)
    after = check_in(app, folio.check_ins["Globex"])
    assert (after.status, after.due_on, after.owner_id, after.updated_at) == (
        before.status,
        before.due_on,
        before.owner_id,
        before.updated_at,
    )
    assert touchpoint_count(app, folio.accounts["Globex"].id) == touchpoints


def test_a_form_without_its_csrf_token_is_refused(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    response = client.post(_url(folio, "skip"), data={"reason": "No token"})
    assert response.status_code == 400
    assert check_in(app, folio.check_ins["Globex"]).status == "open"


def test_an_unknown_check_in_is_not_found(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    assert client.get("/check-ins/999999").status_code == 404
    assert post(client, "/check-ins/999999/skip", reason="Gone").status_code == 404


# --- the account page -----------------------------------------------------------------------------


def test_the_account_page_shows_the_open_check_in_and_the_latest_closed_ones(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    assert post(client, _url(folio, "skip"), reason="Board week").status_code == 302
    account_id = folio.accounts["Globex"].id
    with app.app_context():
        session = db_session()
        # The next one, as tomorrow's generation would create it.
        session.add(
            CheckIn(
                account_id=account_id,
                owner_id=folio.owner.id,
                kind="routine",
                due_on=today() + timedelta(days=3),
                open_for_account_id=account_id,
                created_at=check_in(app, folio.check_ins["Globex"]).created_at,
                updated_at=check_in(app, folio.check_ins["Globex"]).created_at,
            )
        )
        session.commit()
        next_id = session.exec(
            select(CheckIn.id).where(CheckIn.account_id == account_id, CheckIn.status == "open")
        ).one()
    html = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    panel = html[html.index('id="check-ins"') : html.index('id="engagements"')]
    assert f'href="/check-ins/{next_id}">Next check-in: Routine check-in, due' in panel
    assert f'href="/check-ins/{folio.check_ins["Globex"]}"' in panel
    assert "Skipped" in panel and "Board week" in panel


def test_the_owner_sets_the_accounts_own_rhythm_and_a_pause(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    account_id = folio.accounts["Globex"].id
    pause = today() + timedelta(days=30)
    response = post(
        client,
        f"/accounts/{account_id}/check-in-rhythm",
        every_days="21",
        paused_until=pause.isoformat(),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/{account_id}#check-ins"
    with app.app_context():
        account = db_session().get(Account, account_id)
        assert account is not None
        assert (account.check_in_every_days, account.check_ins_paused_until) == (21, pause)
    # The open check-in due during the pause moves to its end.
    assert check_in(app, folio.check_ins["Globex"]).due_on == pause
    html = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert 'value="21"' in html and f'value="{pause.isoformat()}"' in html
    # Empty again: back to the stage's rhythm, no pause.
    post(client, f"/accounts/{account_id}/check-in-rhythm", every_days="", paused_until="")
    with app.app_context():
        account = db_session().get(Account, account_id)
        assert account is not None
        assert (account.check_in_every_days, account.check_ins_paused_until) == (None, None)


@pytest.mark.parametrize(
    ("every_days", "paused_until", "status", "message"),
    [
        ("abc", "", 400, "Enter a whole number of days."),
        ("-3", "", 400, "Enter a whole number of days."),
        ("99999999999", "", 400, "Enter a whole number of days."),
        ("0", "", 422, "between 1 and 730 days"),
        ("731", "", 422, "between 1 and 730 days"),
        ("14", "2027-13-01", 400, "Enter a valid date."),
        ("14", "yesterday", 400, "Enter a valid date."),
        ("14", "2020-01-01", 422, "A pause ends on a day after today."),
    ],
)
def test_a_bad_rhythm_is_refused_and_the_form_comes_back_filled(
    app: Flask, every_days: str, paused_until: str, status: int, message: str
) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.owner)
    account_id = folio.accounts["Globex"].id
    response = post(
        client,
        f"/accounts/{account_id}/check-in-rhythm",
        every_days=every_days,
        paused_until=paused_until,
    )
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html and f'value="{every_days}"' in html
    with app.app_context():
        account = db_session().get(Account, account_id)
        assert account is not None
        assert (account.check_in_every_days, account.check_ins_paused_until) == (None, None)


def test_only_the_owner_team_or_an_admin_may_change_the_rhythm(app: Flask) -> None:
    folio = portfolio(app)
    account_id = folio.accounts["Globex"].id
    colleague = client_for(app, folio.colleague)
    path = f"/accounts/{account_id}/check-in-rhythm"
    assert post(colleague, path, every_days="7").status_code == 403
    assert post(client_for(app, folio.marketing), path, every_days="7").status_code == 403
    # Others read the rhythm without a form.
    html = client_for(app, folio.marketing).get(f"/accounts/{account_id}").get_data(as_text=True)
    assert "The journey stage's rhythm" in html and f'action="{path}"' not in html
    assert post(client_for(app, folio.admin), path, every_days="7").status_code == 302


# --- the team view --------------------------------------------------------------------------------


def _row_of(html: str, name: str) -> list[str]:
    import re

    row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', html, re.DOTALL)
    assert row, name
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_the_team_view_counts_each_account_managers_rhythm(app: Flask) -> None:
    folio = portfolio(app)
    owner = client_for(app, folio.owner)
    # Globex done on its due day; Acme, three days overdue, skipped.
    assert post(owner, _url(folio, "complete"), outcome="spoke", channel="phone").status_code == 302
    assert post(owner, _url(folio, "skip", "Acme"), reason="Merger").status_code == 302
    admin = client_for(app, folio.admin)
    html = admin.get("/check-ins/team").get_data(as_text=True)
    assert '<option value="90" selected>Last 90 days</option>' in html
    # On time, late, skipped, overdue now, open, on-time share.
    assert _row_of(html, "Maya Chen") == ["1", "0", "1", "0", "2", "100%"]
    assert _row_of(html, "Colin") == ["0", "0", "0", "0", "1", "—"]
    assert admin.get("/check-ins/team?days=30").status_code == 200
    assert '<option value="30" selected>' in admin.get("/check-ins/team?days=30").get_data(
        as_text=True
    )
    # An unknown period falls back to the default rather than failing.
    assert '<option value="90" selected>' in admin.get("/check-ins/team?days=7x").get_data(
        as_text=True
    )
    assert client_for(app, folio.owner).get("/check-ins/team").status_code == 403


HOSTILE = [
    "",
    "-1",
    "99999999999999999999",
    "2026-02-30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 6000,
    "é" * 300,
]
FIELDS = [
    "outcome",
    "channel",
    "contact_id",
    "notes",
    "next_step",
    "next_on",
    "until",
    "user_id",
    "reason",
    "every_days",
    "paused_until",
    "days",
]


def test_no_check_in_route_answers_500_to_hostile_values(app: Flask) -> None:
    folio = portfolio(app)
    client = client_for(app, folio.admin)
    account_id = folio.accounts["Acme"].id
    paths = [_url(folio, action, "Acme") for action in ("complete", "snooze", "reassign", "skip")]
    paths += [f"/accounts/{account_id}/check-in-rhythm"]
    for value in HOSTILE:
        data = {field: value for field in FIELDS}
        for path in paths:
            response = post(client, path, **data)
            # Never a 500; a value that happens to be fine (a reason "-1", an empty rhythm) is taken.
            assert response.status_code in (302, 400, 422), (path, value, response.status_code)
        for path in ("/", "/check-ins/team", _url(folio, name="Acme")):
            assert client.get(path, query_string=data).status_code == 200, (path, value)
    # No hostile value is an outcome: the check-in was never completed.
    assert check_in(app, folio.check_ins["Acme"]).status != "done"
