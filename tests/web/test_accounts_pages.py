"""The accounts list and the account forms: filters, search, sort, pages, counts, escaping."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import Account
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_engagement,
    make_service_line,
    make_staff,
    page_html,
    signed_in_client,
)


def _names(html: str) -> list[str]:
    """Account names in the list's table, in order."""
    return re.findall(r'<th scope="row"><a href="/accounts/\d+">([^<]+)</a>', html)


def _post(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return len(list(db_session().exec(select(model).where(*where))))


def test_the_accounts_list_filters_by_stage_owner_industry_service_line_and_camp(
    app: Flask,
) -> None:
    me, other = make_staff(app), make_staff(app)
    with app.app_context():
        session = db_session()
        audit = make_service_line(session, "Audit")
        bank = make_account(session, owner=me, name="Bank", industry="Banking")
        make_engagement(session, bank, status="won", service_line_ids=[audit.id])
        proposed = make_account(session, owner=me, name="Proposed Only", industry="Banking")
        make_engagement(session, proposed, status="proposed", service_line_ids=[audit.id])
        theirs = make_account(session, owner=other, name="Theirs", industry="Retail")
        theirs.camp = "good"
        session.add(theirs)
        session.commit()
    client = signed_in_client(app, me)
    assert _names(page_html(client, "/accounts?stage=active")) == ["Bank"]
    assert _names(page_html(client, f"/accounts?owner={other.id}")) == ["Theirs"]
    assert _names(page_html(client, "/accounts?industry=Banking")) == ["Bank", "Proposed Only"]
    # A proposal is not a purchase: only the won engagement counts as "bought".
    assert _names(page_html(client, f"/accounts?service_line={audit.id}")) == ["Bank"]
    assert _names(page_html(client, "/accounts?camp=good")) == ["Theirs"]
    assert _names(page_html(client, "/accounts?stage=nonsense&owner=x")) == [
        "Bank",
        "Proposed Only",
        "Theirs",
    ]


def test_the_accounts_list_searches_names_ignoring_case_and_wildcards(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        for name in ("Acme Corp", "ACME Holdings", "Globex", "100% Pure"):
            make_account(db_session(), owner=me, name=name)
    client = signed_in_client(app, me)
    assert _names(page_html(client, "/accounts?q=acme")) == ["Acme Corp", "ACME Holdings"]
    assert _names(page_html(client, "/accounts?q=%25")) == ["100% Pure"]


def test_the_accounts_list_sorts_by_name_time_in_stage_or_last_update(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        for index, name in enumerate(["Beta", "Alpha", "Gamma"]):
            account = make_account(session, owner=me, name=name)
            account.stage_since = NOW - timedelta(days=10 * (index + 1))
            account.updated_at = NOW - timedelta(days=index)
            session.add(account)
        session.commit()
    client = signed_in_client(app, me)
    assert _names(page_html(client, "/accounts?sort=name")) == ["Alpha", "Beta", "Gamma"]
    assert _names(page_html(client, "/accounts?sort=stage_since")) == ["Gamma", "Alpha", "Beta"]
    assert _names(page_html(client, "/accounts?sort=updated")) == ["Beta", "Alpha", "Gamma"]


def test_the_accounts_list_shows_fifty_per_page_with_page_links(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        for number in range(1, 121):
            make_account(db_session(), owner=me, name=f"Client {number:03d}", industry="Retail")
    client = signed_in_client(app, me)
    first = page_html(client, "/accounts?industry=Retail")
    assert len(_names(first)) == 50 and _names(first)[0] == "Client 001"
    assert "120 accounts" in first
    assert 'href="/accounts?page=3&amp;industry=Retail"' in first
    third = page_html(client, "/accounts?industry=Retail&page=3")
    assert _names(third) == [f"Client {n:03d}" for n in range(101, 121)]
    assert 'aria-current="page">3<' in third
    # A page past the end shows the last one rather than nothing.
    assert _names(page_html(client, "/accounts?industry=Retail&page=99")) == _names(third)


def test_the_accounts_list_counts_accounts_in_each_stage_as_filter_chips(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        make_account(session, owner=me, name="P1")
        make_account(session, owner=me, name="P2")
        make_engagement(session, make_account(session, owner=me, name="A1"), status="won")
    html = page_html(signed_in_client(app, me), "/accounts?stage=prospect")
    assert re.search(
        r'stage=prospect"[^>]*aria-current="true">Prospect <span class="count">2<', html
    )
    assert re.search(r'stage=active"[^>]*>Active client <span class="count">1<', html)
    assert re.search(r'>All stages <span class="count">3<', html)


def test_an_account_named_like_a_script_is_shown_escaped(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me, name="<script>alert(1)</script>")
    client = signed_in_client(app, me)
    for path in ("/accounts", f"/accounts/{account.id}", f"/accounts/{account.id}/edit"):
        html = page_html(client, path)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_new_account_is_a_prospect_owned_by_its_creator(app: Flask) -> None:
    me = make_staff(app)
    client = signed_in_client(app, me)
    assert f'<option selected value="{me.id}">' in page_html(client, "/accounts/new")
    response = _post(
        client,
        "/accounts/new",
        name="Hooli",
        industry="Tech",
        owner_id=str(me.id),
        stage="prospect",
    )
    assert response.status_code == 302
    with app.app_context():
        account = db_session().exec(select(Account).where(Account.name == "Hooli")).one()
    assert account.owner_id == me.id and account.stage == "prospect"
    assert response.headers["Location"].endswith(f"/accounts/{account.id}")


def test_a_bad_account_form_keeps_what_was_typed_says_why_and_writes_nothing(app: Flask) -> None:
    me = make_staff(app)
    response = _post(
        signed_in_client(app, me),
        "/accounts/new",
        name="Typed Name",
        country="XX",
        size_band="",
        industry="Typed industry",
        owner_id="",
        stage="prospect",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "expected a two-letter country code" in body
    assert 'value="Typed Name"' in body and 'value="Typed industry"' in body
    assert _count(app, Account) == 0


def test_editing_an_account_keeps_its_stage_and_owner(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me, name="Old name")
    client = signed_in_client(app, me)
    assert 'value="Old name"' in page_html(client, f"/accounts/{account.id}/edit")
    response = _post(client, f"/accounts/{account.id}/edit", name="New name", notes="met CFO")
    assert response.status_code == 302
    with app.app_context():
        saved = db_session().get(Account, account.id)
    assert (saved.name, saved.notes, saved.owner_id, saved.stage) == (
        "New name",
        "met CFO",
        me.id,
        "prospect",
    )


def test_an_unknown_account_is_not_found(app: Flask) -> None:
    client = signed_in_client(app, make_staff(app))
    assert client.get("/accounts/999999").status_code == 404
    assert _post(client, "/accounts/999999/stage", stage="active", reason="x").status_code == 404


def test_a_page_number_written_with_non_ascii_digits_shows_the_first_page(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        make_account(db_session(), owner=me, name="Client 001", industry="Retail")
    client = signed_in_client(app, me)
    # "²" and "٣" are digits to str.isdigit() but not to int(): they must not become a 500.
    for page in ("²", "٣"):
        assert _names(page_html(client, f"/accounts?page={page}")) == ["Client 001"]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_next_and_previous_walk_the_list_as_the_page_numbers_do_whatever_the_sort(
    app: Flask,
) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        for number in range(130):
            # Names that tie (and differ only by case) and moves at the same moment: the
            # account's id settles the order, in the page numbers and the links alike.
            account = make_account(
                session, owner=me, name=f"{'cC'[number % 2]}lient {number % 40:02d}"
            )
            account.updated_at = account.stage_since = NOW - timedelta(days=number % 7)
        session.commit()
    client = signed_in_client(app, me)
    for sort in ("name", "stage_since", "updated"):
        by_number = [
            _names(page_html(client, f"/accounts?sort={sort}&page={n}")) for n in (1, 2, 3)
        ]
        assert sum(len(names) for names in by_number) == 130
        path: str | None = f"/accounts?sort={sort}"
        walked = []
        for _ in range(3):
            assert path is not None
            html = page_html(client, path)
            walked.append(_names(html))
            if len(walked) < 3:
                path = _link(html, "next")
                assert path is not None and "after=" in path and f"sort={sort}" in path
        assert walked == by_number, sort
        assert _link(html, "next") is None  # the last page
        assert 'aria-current="page">3<' in html
        back = []
        for _ in range(2):
            path = _link(html, "prev")
            assert path is not None and "before=" in path
            html = page_html(client, path)
            back.append(_names(html))
        assert back == [by_number[1], by_number[0]], sort


def test_a_next_link_to_an_account_since_deleted_shows_the_page_by_its_number(
    app: Flask,
) -> None:
    me = make_staff(app)
    with app.app_context():
        for number in range(1, 61):
            make_account(db_session(), owner=me, name=f"Client {number:03d}")
    client = signed_in_client(app, me)
    html = page_html(client, "/accounts?page=2&after=999999")
    assert _names(html) == [f"Client {n:03d}" for n in range(51, 61)]
    assert page_html(client, "/accounts?page=2&after=-1&before=abc")  # ignored, not an error
