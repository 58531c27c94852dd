"""The analytics pages, for every question of the registry: who may read them, the charts and
their tables, the CSV of every figure, filters carried in the URL, bad filters, French."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import col

from advocacy.app import create_app
from advocacy.db import db_session
from advocacy.models import Account
from advocacy.services.analytics.questions import QUESTIONS
from tests.conftest import empty_all_tables, settings_overrides
from tests.factories import make_staff, make_user, page_html, signed_in_client
from tests.factories_analytics import AnalyticsFirm, build_firm

SLUGS = [q.slug for q in QUESTIONS]
MARKETING_SLUGS = [q.slug for q in QUESTIONS if q.marketing_reads]
WORKERS_ONLY = [q.slug for q in QUESTIONS if not q.marketing_reads]


@pytest.fixture(scope="module")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app and one firm for the module: its tests read the firm (and add staff); the only
    one that changes it puts it back."""
    app = create_app(settings_overrides(database_url, tmp_path_factory.mktemp("analytics") / "i"))
    yield app
    engine = app.extensions["advocacy.engine"]
    empty_all_tables(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def firm(app: Flask) -> AnalyticsFirm:
    # Built in a context of its own, closed before the pages are asked for (each request then
    # gets its own context, and its own language).
    with app.test_request_context():
        return build_firm(db_session())


@pytest.fixture
def admin(app: Flask, firm: AnalyticsFirm) -> FlaskClient:
    return signed_in_client(app, firm.admin)


def _figure_keys(html: str) -> list[str]:
    return re.findall(r"/analytics/[\w-]+/([\w-]+)\.csv", html)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("role", ["admin", "account_manager"])
def test_account_workers_read_every_question_with_a_chart_and_table_per_figure(
    app: Flask, firm: AnalyticsFirm, slug: str, role: str
) -> None:
    client = signed_in_client(app, make_staff(app, role=role))
    html = page_html(client, f"/analytics/{slug}")
    assert html.count("<svg") == html.count('class="figure-table"') > 0
    assert "<script" not in html.split("<svg", 1)[1]
    assert 'href="/analytics"' in html  # the way back
    assert f'href="/analytics/{slug}"' in page_html(client, "/analytics")


@pytest.mark.parametrize("slug", WORKERS_ONLY)
def test_marketing_is_refused_the_questions_not_marked_for_it(
    app: Flask, firm: AnalyticsFirm, slug: str
) -> None:
    client = signed_in_client(app, make_staff(app, role="marketing"))
    assert client.get(f"/analytics/{slug}").status_code == 403
    assert client.get(f"/analytics/{slug}/anything.csv").status_code == 403
    assert f'href="/analytics/{slug}"' not in page_html(client, "/analytics")


@pytest.mark.parametrize("slug", MARKETING_SLUGS)
def test_marketing_reads_the_questions_marked_for_it(
    app: Flask, firm: AnalyticsFirm, slug: str
) -> None:
    client = signed_in_client(app, make_staff(app, role="marketing"))
    page_html(client, f"/analytics/{slug}")


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/analytics")
    assert response.status_code in (302, 401)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_figure_downloads_as_a_csv_of_its_table(admin: FlaskClient, slug: str) -> None:
    html = page_html(admin, f"/analytics/{slug}")
    for key in _figure_keys(html):
        response = admin.get(f"/analytics/{slug}/{key}.csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert len(rows) >= 1 and len({len(row) for row in rows}) == 1
    assert admin.get(f"/analytics/{slug}/no-such-figure.csv").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_filters_travel_in_the_url_and_reach_the_csv(
    admin: FlaskClient, firm: AnalyticsFirm, slug: str
) -> None:
    query = f"owner={firm.olivia.id}&industry=Logistics&from=2024-01-01&to=2025-12-31"
    html = page_html(admin, f"/analytics/{slug}?{query}")
    assert f'<option value="{firm.olivia.id}" selected>' in html
    assert 'value="2024-01-01"' in html
    link = re.search(rf'href="(/analytics/{slug}/[\w-]+\.csv\?[^"]+)"', html)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert f"owner={firm.olivia.id}" in target and "from=2024-01-01" in target
    assert admin.get(target).status_code == 200


def test_a_filter_changes_the_numbers(admin: FlaskClient, firm: AnalyticsFirm) -> None:
    whole = admin.get("/analytics/pre-purchase/by-owner.csv").get_data(as_text=True)
    mine = admin.get(f"/analytics/pre-purchase/by-owner.csv?owner={firm.olivia.id}")
    rows = list(csv.reader(io.StringIO(mine.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Olivia"]
    assert "Bruno" in whole


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("owner=abc", "Owner: choose one of the listed values."),
        ("cohort=19", "Cohort: enter a year such as 2024."),
        ("from=2024-13-01", "From: enter a date as YYYY-MM-DD."),
        ("from=2025-01-01&to=2024-01-01", "The period ends before it starts"),
    ],
)
def test_a_bad_filter_is_a_message_not_an_error(
    admin: FlaskClient, slug: str, query: str, message: str
) -> None:
    html = page_html(admin, f"/analytics/{slug}?{query}")
    assert message in html
    response = admin.get(f"/analytics/{slug}/anything.csv?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_page_reads_in_french(app: Flask, firm: AnalyticsFirm, slug: str) -> None:
    with app.app_context():
        reader = make_user(db_session(), role="admin", language="fr")
    french = signed_in_client(app, reader)
    html = page_html(french, f"/analytics/{slug}")
    assert '<html lang="fr">' in html
    assert "Télécharger le tableau (CSV)" in html
    assert "Analyses" in page_html(french, "/analytics")


def test_a_label_with_markup_is_escaped_in_the_chart_and_the_csv_is_neutralised(
    app: Flask, admin: FlaskClient
) -> None:
    def rename(old: str, new: str) -> None:
        with app.app_context():
            session = db_session()
            session.execute(
                update(Account).where(col(Account.industry) == old).values(industry=new)
            )
            session.commit()

    rename("Retail", "<script>alert(1)</script>")
    try:
        html = page_html(admin, "/analytics/pre-purchase")
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)" in html
        rename("<script>alert(1)</script>", "=HYPERLINK(1)")
        text = admin.get("/analytics/pre-purchase/by-industry.csv").get_data(as_text=True)
        assert "'=HYPERLINK(1)" in text
    finally:  # the module's other tests share the firm
        rename("<script>alert(1)</script>", "Retail")
        rename("=HYPERLINK(1)", "Retail")
