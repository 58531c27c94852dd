"""Administrators keep the service-line catalogue: list, add, rename, retire."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ServiceLine
from tests.factories import csrf_token, make_service_line, make_user, sign_in


def _client(app: Flask, role: str = "admin") -> FlaskClient:
    with app.app_context():
        user = make_user(db_session(), role=role)
    client = app.test_client()
    sign_in(client, user.email)
    return client


def _post(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _lines(app: Flask) -> dict[str, bool]:
    with app.app_context():
        return {line.name: line.active for line in db_session().exec(select(ServiceLine))}


def test_an_admin_adds_renames_and_retires_a_service_line(app: Flask) -> None:
    client = _client(app)
    assert _post(client, "/service-lines", name="Audit", description="Yearly").status_code == 302
    assert "Audit" in client.get("/service-lines").get_data(as_text=True)
    with app.app_context():
        line = db_session().exec(select(ServiceLine)).one()
    assert 'value="Audit"' in client.get(f"/service-lines/{line.id}").get_data(as_text=True)
    assert _post(client, f"/service-lines/{line.id}", name="Statutory audit").status_code == 302
    assert _post(client, f"/service-lines/{line.id}/status", active="0").status_code == 302
    assert _lines(app) == {"Statutory audit": False}
    assert "Retired" in client.get("/service-lines").get_data(as_text=True)
    assert _post(client, f"/service-lines/{line.id}/status", active="1").status_code == 302
    assert _lines(app) == {"Statutory audit": True}


def test_a_duplicate_or_empty_service_line_name_is_refused_with_the_reason(app: Flask) -> None:
    with app.app_context():
        make_service_line(db_session(), "Tax")
    client = _client(app)
    duplicate = _post(client, "/service-lines", name="tax", description="Typed text")
    body = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 422
    assert "already exists" in body and "Typed text" in body
    empty = _post(client, "/service-lines", name="  ")
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    assert _lines(app) == {"Tax": True}


def test_only_admins_keep_the_catalogue(app: Flask) -> None:
    with app.app_context():
        line = make_service_line(db_session(), "Tax")
    for role in ("account_manager", "marketing"):
        client = _client(app, role)
        assert client.get("/service-lines").status_code == 403
        assert _post(client, f"/service-lines/{line.id}/status", active="0").status_code == 403
    assert _lines(app) == {"Tax": True}
