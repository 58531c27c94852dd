"""Staff pages on the small demo firm, loaded once for the module as of today: an administrator's
and marketing's home show firm-wide content, and the calibration report reads the top decile's
lift in its table, its chart and its words. These tests only read the firm (they add staff, each
with their own address)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from advocacy.app import create_app
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.demo import loader
from tests.conftest import empty_all_tables, settings_overrides
from tests.factories import make_staff, page_html, signed_in_client
from tests.web.check_in_helpers import section


@pytest.fixture(scope="module")
def demo_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(settings_overrides(database_url, tmp_path_factory.mktemp("pages") / "i"))
    # The demo's client voice goes through the outbox, whose e-mails the app renders.
    with app.app_context():
        loader.load_demo(db_session(), size="small", now=utcnow())
    yield app
    engine = app.extensions["advocacy.engine"]
    empty_all_tables(engine)
    engine.dispose()


def test_on_the_demo_firm_admin_and_marketing_see_firm_wide_content(demo_app: Flask) -> None:
    admin = signed_in_client(
        demo_app, make_staff(demo_app, role="admin", email="boss@firm.example")
    )
    html = page_html(admin, "/")
    # The demo firm comes with its analytics answers stored: the firm's headline on a first run.
    assert "The firm at a glance" in section(html, "firm-headlines")
    coverage = section(html, "firm-coverage")
    assert 'href="/accounts/' in coverage and "accounts lack coverage" in coverage
    assert "Overdue check-ins across owners" in html
    mail = section(html, "mail-health")
    assert 'href="/admin/mail"' in mail and "Sent" in mail
    assert "You own no account" not in html  # the firm's view replaces an empty week
    marketer = signed_in_client(
        demo_app, make_staff(demo_app, role="marketing", email="m@firm.example")
    )
    html = page_html(marketer, "/")
    assert 'href="/testimonials/' in section(html, "new-quotes")
    assert "Consents withdrawn" in html and "best-candidates" in html
    assert 'href="/contacts/' in section(html, "best-candidates")
    french = marketer.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Nouvelles citations" in french


def test_on_the_demo_firm_the_calibration_report_reads_the_top_deciles_lift(
    demo_app: Flask,
) -> None:
    client = signed_in_client(
        demo_app, make_staff(demo_app, role="marketing", email="analyst@firm.example")
    )
    assert 'href="/advocates/calibration"' in page_html(client, "/advocates")
    html = page_html(client, "/advocates/calibration")
    reading = re.search(r"The top decile gave (\d+\.\d)× the average", html)
    assert reading and float(reading.group(1)) >= 2.5
    rows = re.findall(r'<th scope="row">(\d+)</th>', html)
    assert rows == [str(n) for n in range(1, 11)]
    assert '<svg class="lift-chart"' in html and html.count("<rect ") == 10
    french = client.get("/advocates/calibration", headers={"Accept-Language": "fr"})
    assert "Le décile du haut a donné" in french.get_data(as_text=True)
