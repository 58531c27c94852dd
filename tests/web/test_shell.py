"""The UI shell: security headers, error pages, assets served locally, /healthz."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advocacy.app import create_app
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.http.security import public
from advocacy.services.operations.heartbeats import record_heartbeat
from tests.conftest import settings_overrides
from tests.factories import make_user, sign_in


def test_pages_carry_a_strict_content_security_policy_and_safety_headers(
    client: FlaskClient,
) -> None:
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_every_asset_is_served_by_the_app(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), role="admin", email="boss@firm.example")
    sign_in(client, "boss@firm.example")
    for path in ("/login", "/", "/admin/users"):
        html = client.get(path).get_data(as_text=True)
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), f"{path} loads {url} from elsewhere"
        assert "<script>" not in html and " style=" not in html
    with client.get("/static/advocacy.css") as stylesheet:
        assert stylesheet.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("GET", "/no-such-page", 404, "Page not found"),
        ("PUT", "/login", 405, "Not allowed here"),
    ],
)
def test_errors_are_shown_in_the_products_look(
    client: FlaskClient, method: str, path: str, status: int, title: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert title in body and "advocacy.css" in body


def test_a_crash_shows_the_500_page_without_details(app_factory) -> None:
    app: Flask = app_factory()

    @public
    def explode() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/explode", "explode", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as in tests
    response = app.test_client().get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body and "secret internals" not in body


def test_a_body_that_is_too_large_is_refused_cleanly(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_healthz_reports_the_database_and_no_scheduler_yet(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": {"ok": True, "error": None},
        "scheduler": {
            "status": "never",
            "last_heartbeat": None,
            "age_seconds": None,
            "leader": None,
            "standbys": [],
        },
        "mail_events": None,  # reported with the SendGrid backend only
    }


def test_healthz_reports_a_recent_heartbeat_as_ok_and_an_old_one_as_stale(
    app: Flask, client: FlaskClient
) -> None:
    now = utcnow()
    with app.app_context():
        record_heartbeat(db_session(), "jobs@test", host="test", pid=1, started_at=now, now=now)
    assert client.get("/healthz").json["scheduler"]["status"] == "ok"
    with app.app_context():
        old = now - timedelta(minutes=10)
        record_heartbeat(db_session(), "jobs@test", host="test", pid=1, started_at=old, now=old)
    assert client.get("/healthz").json["scheduler"]["status"] == "stale"


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path) -> None:
    unreachable = f"sqlite:///{tmp_path}/missing-folder/advocacy.db"
    app = create_app(settings_overrides(unreachable, tmp_path / "instance"))
    response = app.test_client().get("/healthz")
    app.extensions["advocacy.engine"].dispose()
    assert response.status_code == 503
    assert response.json["database"]["ok"] is False


def test_the_home_page_shows_the_navigation_of_the_role(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(db_session(), role="marketing", email="mia@firm.example")
    sign_in(client, "mia@firm.example")
    html = client.get("/").get_data(as_text=True)
    assert "/preferences" in html and "/admin/users" not in html


STAFF_PAGES = (
    "/accounts", "/referrals", "/references", "/check-ins/team", "/library", "/testimonials",
    "/admin/mail", "/admin/users", "/imports", "/service-lines", "/preferences",
)  # fmt: skip


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_staff_page_has_a_way_back_home(app: Flask, client: FlaskClient, path: str) -> None:
    with app.app_context():
        admin = make_user(db_session(), role="admin")
    sign_in(client, admin.email)
    response = client.get(path)
    assert response.status_code == 200, path
    crumb = re.search(r'<p class="breadcrumb"><a href="/">', response.get_data(as_text=True))
    assert crumb, f"{path} has no breadcrumb back to the home page"
