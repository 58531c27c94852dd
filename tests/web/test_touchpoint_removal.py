"""Taking back a touchpoint logged by mistake: its author or an administrator, after a
confirmation page; imported and system touchpoints, and those that record a check-in, stay."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from advocacy.db import db_session
from advocacy.domain.touchpoints import TouchpointSource
from advocacy.models import AccountTeamMember, CheckIn, Touchpoint, TouchpointCreate, User
from advocacy.services.journey.touchpoints import add_touchpoint_to
from tests.conftest import NOW
from tests.factories import csrf_token, make_account, make_user, signed_in_client


def _setup(app: Flask) -> dict[str, int | User]:
    """An account owned by `owner` with `colleague` on its team, and touchpoints of each kind."""
    with app.app_context():
        session = db_session()
        owner, colleague = make_user(session), make_user(session)
        admin, marketer = make_user(session, role="admin"), make_user(session, role="marketing")
        account = make_account(session, owner=owner)
        session.add(AccountTeamMember(account_id=account.id, user_id=colleague.id))

        def logged(summary: str, by: User | None, source=TouchpointSource.MANUAL) -> int:  # type: ignore[no-untyped-def]
            data = TouchpointCreate(
                kind="call",
                initiative="firm",
                occurred_at=NOW - timedelta(hours=2),
                summary=summary,
            )
            return add_touchpoint_to(session, account, data, by=by, now=NOW, source=source).id

        ids = {
            "mine": logged("Wrong account, sorry", owner),
            "colleagues": logged("Lunch with the CFO", colleague),
            "imported": logged("From the old CRM", None, TouchpointSource.IMPORT),
            "check_in": logged("Quarterly check-in", owner),
        }
        session.add(
            CheckIn(
                account_id=account.id, owner_id=owner.id, kind="routine", rule="test",
                status="done", due_on=NOW.date(), touchpoint_id=ids["check_in"],
                talking_points_json="{}", created_at=NOW, updated_at=NOW, closed_at=NOW,
            )
        )  # fmt: skip
        session.commit()
    return {"account": account.id, **ids, "owner": owner, "colleague": colleague,
            "admin": admin, "marketer": marketer}  # fmt: skip


def _exists(app: Flask, touchpoint_id: int) -> bool:
    with app.app_context():
        return db_session().get(Touchpoint, touchpoint_id) is not None


def _remove(client: FlaskClient, account_id: int, touchpoint_id: int, *, token: bool = True):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/")} if token else {}
    return client.post(f"/accounts/{account_id}/touchpoints/{touchpoint_id}/remove", data=data)


def test_the_author_confirms_and_the_touchpoint_leaves_the_timeline(app: Flask) -> None:
    s = _setup(app)
    client = signed_in_client(app, s["owner"])  # type: ignore[arg-type]
    account = s["account"]
    page = client.get(f"/accounts/{account}").get_data(as_text=True)
    assert f'/accounts/{account}/touchpoints/{s["mine"]}/remove"' in page
    for other in ("colleagues", "imported", "check_in"):  # offered only where it would work
        assert f'/touchpoints/{s[other]}/remove"' not in page
    confirm = client.get(f"/accounts/{account}/touchpoints/{s['mine']}/remove")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Wrong account, sorry" in html and "Remove it" in html
    assert f'href="/accounts/{account}#touchpoints"' in html  # the way back
    assert _remove(client, account, s["mine"], token=False).status_code == 400
    assert _exists(app, s["mine"])
    done = _remove(client, account, s["mine"])
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/accounts/{account}#touchpoints"
    )
    assert not _exists(app, s["mine"])
    after = client.get(f"/accounts/{account}").get_data(as_text=True)
    assert "Touchpoint removed." in after and "Wrong account, sorry" not in after


def test_a_colleague_may_not_remove_what_someone_else_logged_but_an_admin_may(
    app: Flask,
) -> None:
    s = _setup(app)
    account, theirs = s["account"], s["colleagues"]
    owner = signed_in_client(app, s["owner"])  # type: ignore[arg-type]
    refused = owner.get(f"/accounts/{account}/touchpoints/{theirs}/remove").get_data(as_text=True)
    assert "Only the person who logged a touchpoint, or an administrator" in refused
    assert "Remove it" not in refused
    assert _remove(owner, account, theirs).status_code == 403
    marketer = signed_in_client(app, s["marketer"])  # type: ignore[arg-type]
    assert _remove(marketer, account, theirs).status_code == 403
    assert _exists(app, theirs)
    admin = signed_in_client(app, s["admin"])  # type: ignore[arg-type]
    assert _remove(admin, account, theirs).status_code == 302
    assert not _exists(app, theirs)


def test_imported_touchpoints_and_check_in_records_stay(app: Flask) -> None:
    s = _setup(app)
    admin = signed_in_client(app, s["admin"])  # type: ignore[arg-type]
    account = s["account"]
    for which, reason in (
        ("imported", "imported or recorded by advocacy"),
        ("check_in", "records a check-in or a survey answer"),
    ):
        answer = _remove(admin, account, s[which])  # type: ignore[arg-type]
        assert answer.status_code == 302 and "/remove" in answer.headers["Location"]
        assert _exists(app, s[which])  # type: ignore[arg-type]
        page = admin.get(answer.headers["Location"]).get_data(as_text=True)
        assert reason in page and "Remove it" not in page


def test_a_touchpoint_of_another_account_is_not_found_there(app: Flask) -> None:
    s = _setup(app)
    with app.app_context():
        other = make_account(db_session(), owner=s["owner"])  # type: ignore[arg-type]
    client = signed_in_client(app, s["owner"])  # type: ignore[arg-type]
    assert client.get(f"/accounts/{other.id}/touchpoints/{s['mine']}/remove").status_code == 404
    assert _remove(client, other.id, s["mine"]).status_code == 404  # type: ignore[arg-type]
    assert _remove(client, s["account"], 999_999).status_code == 404  # type: ignore[arg-type]
    assert _exists(app, s["mine"])  # type: ignore[arg-type]
