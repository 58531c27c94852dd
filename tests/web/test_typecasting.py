"""The typecasting matrix: every account against the service lines, each cell a symbol and a word,
the index per account, filters in the URL, the same few queries whatever the number of accounts,
and open to every signed-in staff member, as the accounts list is."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from advocacy.db import db_session
from advocacy.models import ServiceLineIndustry
from tests.conftest import count_queries
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_staff,
    make_touchpoint,
    page_html,
    signed_in_client,
)


def _cells(html: str, account: str) -> list[str]:
    row = html.split(f">{account}</a>", 1)[1].split("</tr>", 1)[0]
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
    ]


@pytest.fixture
def firm(app: Flask) -> dict:
    owner = make_staff(app, email="owner@firm.example")
    other = make_staff(app, email="other@firm.example")
    with app.app_context():
        session = db_session()
        tax, esg, payroll = (make_service_line(session, n) for n in ("Tax", "ESG", "Payroll"))
        # Logistics rates Payroll low (2 < 3): its index counts Tax and ESG only.
        session.add_all(
            ServiceLineIndustry(service_line_id=line.id, industry="Logistics", relevance=value)
            for line, value in ((tax, 5), (esg, 4), (payroll, 2))
        )
        session.commit()
        harbour = make_account(session, name="Harbour", industry="Logistics", owner=owner)
        anna = make_contact(session, harbour, full_name="Anna")
        make_engagement(
            session, harbour, status="won", service_line_ids=[tax.id], contact_ids=[anna.id]
        )
        make_touchpoint(session, harbour, kind="email", service_line_id=esg.id)
        make_touchpoint(
            session, harbour, kind="call", initiative="client", service_line_id=payroll.id
        )
        make_account(session, name="Quarry", industry="Mining", owner=other, stage="prospect")
    return {"owner": owner, "other": other}


def test_each_cell_says_the_state_in_a_symbol_and_a_word_and_the_index_is_shown(
    app: Flask, firm: dict
) -> None:
    html = page_html(signed_in_client(app, firm["owner"]), "/typecasting")
    cells = _cells(html, "Harbour")
    # Columns by name: ESG, Payroll, Tax, then the index.
    assert cells[0] == "○ Introduced"  # ESG
    assert cells[1].startswith("◐ Engaged") and "not relevant to the industry" in cells[1]
    assert cells[2] == "● Bought"  # Tax
    assert cells[3] == "50%"  # Tax known, ESG only introduced; Payroll does not count
    # Mining has no ratings: every active line counts, and Quarry knows none of them.
    assert _cells(html, "Quarry") == ["· Unaware", "· Unaware", "· Unaware", "0%"]
    assert "Average typecasting index: 25%" in html
    assert "2 accounts shown on this page." in html


def test_the_filters_narrow_the_matrix_and_stay_in_the_url(app: Flask, firm: dict) -> None:
    client = signed_in_client(app, firm["owner"])
    by_owner = page_html(client, f"/typecasting?owner={firm['other'].id}")
    assert ">Quarry</a>" in by_owner and ">Harbour</a>" not in by_owner
    by_industry = page_html(client, "/typecasting?industry=Logistics")
    assert ">Harbour</a>" in by_industry and ">Quarry</a>" not in by_industry
    assert "Average typecasting index: 50%" in by_industry
    by_stage = page_html(client, "/typecasting?stage=prospect")
    assert ">Quarry</a>" in by_stage and ">Harbour</a>" not in by_stage
    nonsense = page_html(client, "/typecasting?stage=nonsense&owner=abc&page=-4")
    assert ">Quarry</a>" in nonsense and ">Harbour</a>" in nonsense


def test_every_signed_in_role_sees_the_matrix_from_the_navigation(app: Flask, firm: dict) -> None:
    marketing = make_staff(app, role="marketing", email="marketing@firm.example")
    html = page_html(signed_in_client(app, marketing), "/")
    assert 'href="/typecasting"' in html
    assert ">Harbour</a>" in page_html(signed_in_client(app, marketing), "/typecasting")


def test_an_anonymous_visitor_is_sent_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/typecasting")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_matrix_sends_the_same_few_queries_whatever_the_number_of_accounts(
    app: Flask,
) -> None:
    me = make_staff(app)
    client = signed_in_client(app, me)
    engine = app.extensions["advocacy.engine"]
    counts = []
    for accounts in (2, 14):
        with app.app_context():
            session = db_session()
            lines = [make_service_line(session) for _ in range(2)]
            for number in range(accounts):
                account = make_account(session, industry=f"Industry {number % 3}")
                make_engagement(
                    session, account, status="won", service_line_ids=[lines[number % 2].id]
                )
        with count_queries(engine) as statements:
            page_html(client, "/typecasting")
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 12
