"""The calibration report page: on the demo firm, the lift table, the chart and the reading; on
a young installation, "too little data to judge"; the window in the URL; a fixed number of
queries; reachable from the Advocates page."""

from __future__ import annotations

import re

from flask import Flask

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.demo import loader
from tests.conftest import count_queries
from tests.factories import make_account, make_mail_contact, make_staff, page_html, signed_in_client


def test_on_the_demo_firm_the_report_reads_the_top_deciles_lift(app: Flask) -> None:
    with app.app_context():
        loader.load_demo(db_session(), size="small", now=utcnow())
    client = signed_in_client(app, make_staff(app, role="marketing", email="m@firm.example"))
    assert 'href="/advocates/calibration"' in page_html(client, "/advocates")
    html = page_html(client, "/advocates/calibration")
    reading = re.search(r"The top decile gave (\d+\.\d)× the average", html)
    assert reading and float(reading.group(1)) >= 2.5
    rows = re.findall(r'<th scope="row">(\d+)</th>', html)
    assert rows == [str(n) for n in range(1, 11)]
    assert '<svg class="lift-chart"' in html and html.count("<rect ") == 10
    french = client.get("/advocates/calibration", headers={"Accept-Language": "fr"})
    assert "Le décile du haut a donné" in french.get_data(as_text=True)


def test_a_young_installation_is_told_there_is_too_little_data(app: Flask) -> None:
    with app.app_context():
        make_mail_contact(db_session(), make_account(db_session()))
    html = page_html(signed_in_client(app, make_staff(app)), "/advocates/calibration?months=3")
    assert "Too little data to judge" in html
    assert "No past period yet" in html
    assert 'aria-current="true">Within 3 months' in html


def test_the_report_sends_the_same_queries_whatever_the_number_of_contacts(app: Flask) -> None:
    client = signed_in_client(app, make_staff(app))
    engine = app.extensions["advocacy.engine"]
    counts = []
    for contacts in (1, 15):
        with app.app_context():
            session = db_session()
            for _ in range(contacts):
                make_mail_contact(session, make_account(session))
        with count_queries(engine) as statements:
            page_html(client, "/advocates/calibration?months=nonsense")
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8
