"""The right of access: everything held about a person, from every table, and nobody else's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from advocacy.app import create_app
from advocacy.db import db_session
from advocacy.demo import loader
from advocacy.domain.errors import NotFound
from advocacy.models import AuditEntry, Contact, OutboxMessage, Touchpoint
from advocacy.models import Testimonial as Quote  # pytest would collect Test* names
from advocacy.services.privacy import access
from tests.conftest import NOW, empty_all_tables, settings_overrides
from tests.factories import make_staff, signed_in_client


def _busiest_person(session: Session) -> int:
    """The demo person with a testimonial and the most touchpoints: the export has much to find."""
    query = (
        select(Contact.person_id)
        .join(Quote, col(Quote.contact_id) == col(Contact.id))
        .join(Touchpoint, col(Touchpoint.contact_id) == col(Contact.id))
        .group_by(col(Contact.person_id))
        .order_by(func.count().desc(), col(Contact.person_id))
        .limit(1)
    )
    return int(session.execute(query).scalar_one())


@pytest.fixture(scope="module")
def demo_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The small demo firm, loaded once: these tests only read it (and add staff and log lines)."""
    app = create_app(settings_overrides(database_url, tmp_path_factory.mktemp("demo") / "i"))
    with app.app_context():
        loader.load_demo(db_session(), size="small", now=NOW)
    yield app
    engine = app.extensions["advocacy.engine"]
    empty_all_tables(engine)
    engine.dispose()


def test_the_export_holds_every_row_about_the_person_and_none_about_others(
    demo_app: Flask,
) -> None:
    with demo_app.app_context():
        session = db_session()
        person_id = _busiest_person(session)
        data = access.personal_data_of(session, person_id, now=NOW)
        document = data.as_json()
        contacts = (
            session.exec(select(Contact).where(Contact.person_id == person_id)).scalars().all()
        )
        ids = {contact.id for contact in contacts}
        emails = {contact.email.lower() for contact in contacts if contact.email}

        # Counted independently, table by table, through the models.
        touchpoints = session.execute(
            select(func.count()).where(col(Touchpoint.contact_id).in_(ids))
        ).scalar_one()
        testimonials = session.execute(
            select(func.count()).where(col(Quote.contact_id).in_(ids))
        ).scalar_one()
        messages = session.execute(
            select(func.count()).where(
                col(OutboxMessage.contact_id).in_(ids)
                | func.lower(col(OutboxMessage.to_email)).in_(emails)
            )
        ).scalar_one()

    assert document["person_id"] == person_id
    assert {row["id"] for row in document["records"]["contacts"]} == ids
    assert data.rows_in("touchpoints") == touchpoints > 0
    assert data.rows_in("testimonials") == testimonials > 0
    assert data.rows_in("outbox_messages") == messages
    assert data.rows_in("testimonial_permissions") > 0  # the parts of their testimonials
    # Every row that names a contact names one of theirs.
    for table, rows in document["records"].items():
        for column in SQLModel.metadata.tables[table].columns:
            if any(key.column.table.name == "contacts" for key in column.foreign_keys):
                named = {row[column.name] for row in rows} - {None}
                if table in ("referrals", "contacts"):  # the other side of a referral or a move
                    continue
                assert named <= ids, (table, column.name, named - ids)
    # Secrets and machinery are withheld; the rest travels as JSON.
    text = json.dumps(document)
    assert "token_hash" not in text and "html_body" not in text
    assert "text_body" in text if messages else True


def test_an_unknown_person_or_address_is_not_found(demo_app: Flask) -> None:
    with demo_app.app_context():
        with pytest.raises(NotFound):
            access.personal_data_of(db_session(), 10_000_000, now=NOW)
        with pytest.raises(NotFound, match=r"nobody@nowhere\.example"):
            access.personal_data_by_email(db_session(), " Nobody@Nowhere.example ", now=NOW)


def test_admins_read_and_download_it_others_may_not(demo_app: Flask) -> None:
    with demo_app.app_context():
        session = db_session()
        person_id = _busiest_person(session)
        contact = (
            session.exec(select(Contact).where(Contact.person_id == person_id)).scalars().first()
        )
        assert contact is not None
        contact_id, name, email = contact.id, session.get(Contact, contact.id), contact.email
    admin = signed_in_client(demo_app, make_staff(demo_app, role="admin"))

    page = admin.get(f"/contacts/{contact_id}")
    assert f"/contacts/{contact_id}/personal-data" in page.get_data(as_text=True)
    summary = admin.get(f"/contacts/{contact_id}/personal-data")
    assert summary.status_code == 200
    assert "Touchpoints" in summary.get_data(as_text=True)
    download = admin.get(f"/contacts/{contact_id}/personal-data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json()["person_id"] == person_id
    with demo_app.app_context():
        noted = (
            db_session()
            .exec(select(AuditEntry).where(AuditEntry.action == "person.exported"))
            .scalars()
            .all()
        )
        assert [e.subject_id for e in noted] == [person_id, person_id]
        assert {json.loads(e.details_json)["format"] for e in noted} == {"html", "json"}
    assert name is not None

    for role in ("account_manager", "marketing"):
        other = signed_in_client(demo_app, make_staff(demo_app, role=role))
        assert other.get(f"/contacts/{contact_id}/personal-data").status_code == 403
        assert other.get(f"/contacts/{contact_id}/personal-data.json").status_code == 403
        assert "/personal-data" not in other.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert admin.get("/contacts/99999999/personal-data").status_code == 404

    result: Any = demo_app.test_cli_runner().invoke(args=["contacts", "export", str(email).upper()])
    assert result.exit_code == 0, result.output
    assert f"(person {person_id})" in result.output
    missing = demo_app.test_cli_runner().invoke(
        args=["contacts", "export", "nobody@nowhere.example"]
    )
    assert missing.exit_code == 1
    assert "no contact with the e-mail address" in missing.output
