"""The audit log records who did what from where, and admins read, filter and export it."""

from __future__ import annotations

import csv
import io
import json

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from advocacy.db import db_session
from advocacy.models import AuditEntry, User
from tests.factories import csrf_token, make_user, sign_in

ADDRESS = "203.0.113.7"


def _entries(app: Flask, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(col(AuditEntry.id))
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(db_session().exec(query))


def _client_from(app: Flask, address: str = ADDRESS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _rows(client: FlaskClient, path: str) -> str:
    """The table of entries on a page of the log (the header and footer name the viewer)."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


def _admin(app: Flask) -> tuple[FlaskClient, User]:
    with app.app_context():
        admin = make_user(db_session(), role="admin", email="boss@firm.example")
    client = _client_from(app)
    sign_in(client, "boss@firm.example")
    return client, admin


def test_a_failed_sign_in_is_recorded_with_the_address_and_the_account_typed(app: Flask) -> None:
    with app.app_context():
        user = make_user(db_session(), email="ana@firm.example")
    response = sign_in(_client_from(app), "Ana@Firm.example", "not the password")
    assert response.status_code == 401
    [entry] = _entries(app, "sign_in.failed")
    assert entry.address == ADDRESS
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == (
        "user",
        user.id,
        "ana@firm.example",
    )
    assert (entry.subject_type, entry.subject_id) == ("user", user.id)
    assert json.loads(entry.details_json) == {"method": "password", "reason": "wrong_credentials"}
    assert "not the password" not in entry.details_json + entry.actor_label


def test_a_sign_in_to_an_unknown_account_is_recorded_without_a_subject(app: Flask) -> None:
    sign_in(_client_from(app), "nobody@firm.example", "whatever it is")
    [entry] = _entries(app, "sign_in.failed")
    assert entry.actor_id is None and entry.actor_label == "nobody@firm.example"
    assert entry.subject_id is None


def test_sign_in_and_sign_out_are_recorded(app: Flask) -> None:
    client, admin = _admin(app)
    [signed] = _entries(app, "sign_in.succeeded")
    assert (signed.actor_id, signed.address) == (admin.id, ADDRESS)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    [out] = _entries(app, "sign_out")
    assert (out.actor_id, out.subject_id, out.address) == (admin.id, admin.id, ADDRESS)


def test_a_role_change_in_the_ui_is_recorded_with_who_and_from_where(app: Flask) -> None:
    client, admin = _admin(app)
    with app.app_context():
        colleague = make_user(db_session(), role="marketing", email="mia@firm.example")
    page = f"/admin/users/{colleague.id}"
    response = client.post(
        f"{page}/role", data={"csrf_token": csrf_token(client, page), "role": "account_manager"}
    )
    assert response.status_code == 302
    [entry] = _entries(app, "user.role_changed")
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == ("user", admin.id, admin.email)
    assert (entry.subject_type, entry.subject_id, entry.address) == ("user", colleague.id, ADDRESS)
    assert json.loads(entry.details_json) == {"from": "marketing", "to": "account_manager"}


def test_a_refused_change_records_nothing(app: Flask) -> None:
    client, admin = _admin(app)
    page = f"/admin/users/{admin.id}"
    response = client.post(
        f"{page}/role", data={"csrf_token": csrf_token(client, page), "role": "marketing"}
    )
    assert response.status_code == 422
    assert _entries(app, "user.role_changed") == []
    response = client.post(
        "/admin/users", data={"csrf_token": csrf_token(client, "/admin/users"), "email": "bad"}
    )
    assert response.status_code in (400, 422)
    assert _entries(app, "user.created") == []


def test_an_invitation_and_a_deactivation_are_recorded(app: Flask) -> None:
    client, admin = _admin(app)
    token = csrf_token(client, "/admin/users")
    client.post(
        "/admin/users",
        data={"csrf_token": token, "email": "new@firm.example", "role": "marketing", "name": ""},
    )
    [created] = _entries(app, "user.created")
    assert created.actor_id == admin.id
    assert json.loads(created.details_json) == {"role": "marketing", "method": "invitation"}
    page = f"/admin/users/{created.subject_id}"
    client.post(f"{page}/deactivate", data={"csrf_token": csrf_token(client, page)})
    [deactivated] = _entries(app, "user.deactivated")
    assert (deactivated.actor_id, deactivated.subject_id) == (admin.id, created.subject_id)


def test_the_page_filters_newest_first_and_shows_the_address(app: Flask) -> None:
    client, _admin_user = _admin(app)
    sign_in(_client_from(app, "198.51.100.9"), "ghost@firm.example", "wrong guess here")
    everything = _rows(client, "/admin/audit")
    assert "198.51.100.9" in everything and "ghost@firm.example" in everything
    assert everything.index("ghost@firm.example") < everything.index("boss@firm.example")
    failed = _rows(client, "/admin/audit?action=sign_in.failed")
    assert "ghost@firm.example" in failed and "boss@firm.example" not in failed
    by_actor = _rows(client, "/admin/audit?actor=BOSS")
    assert "ghost@firm.example" not in by_actor and "boss@firm.example" in by_actor
    assert _rows(client, "/admin/audit?since=2000-01-01&until=2000-01-02") == ""
    assert "ghost" in _rows(client, "/admin/audit?action=nope&since=yesterday&subject_id=x&page=-3")


def test_the_csv_export_keeps_the_filters_neutralises_formulas_and_is_recorded(
    app: Flask,
) -> None:
    client, admin = _admin(app)
    sign_in(_client_from(app), "=1+1@firm.example", "a wrong password")
    response = client.get("/admin/audit.csv?action=sign_in.failed")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["occurred_at", "actor_kind", "actor_id", "actor_label"]
    assert [row[5] for row in rows[1:]] == ["sign_in.failed"]
    assert rows[1][3] == "'=1+1@firm.example" and rows[1][4] == ADDRESS
    [exported] = _entries(app, "audit.exported")
    assert exported.actor_id == admin.id
    assert json.loads(exported.details_json) == {"rows": 1, "filters": "action=sign_in.failed"}


def test_only_admins_see_or_export_the_log(app: Flask) -> None:
    for role in ("account_manager", "marketing"):
        with app.app_context():
            make_user(db_session(), role=role, email=f"{role}@firm.example")
        client = _client_from(app)
        sign_in(client, f"{role}@firm.example")
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403
    assert app.test_client().get("/admin/audit").status_code == 302  # to the sign-in page


def test_no_route_changes_the_log(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods is not None
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
