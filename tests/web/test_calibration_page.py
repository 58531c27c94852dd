"""The calibration report page: on a young installation, "too little data to judge"; the window in
the URL; a fixed number of queries whatever the number of contacts. (On the demo firm, the lift
table, the chart, the reading and the link from the Advocates page: test_demo_firm_pages.py.)"""

from __future__ import annotations

from flask import Flask

from advocacy.db import db_session
from tests.conftest import count_queries
from tests.factories import make_account, make_mail_contact, make_staff, page_html, signed_in_client


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
