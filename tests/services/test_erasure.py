"""Erasure: one action, and no page, API answer, export or table shows the person afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import String, Text, func, or_, select
from sqlmodel import Session, SQLModel, col
from sqlmodel.sql.sqltypes import AutoString

from advocacy.db import db_session
from advocacy.demo import loader
from advocacy.domain.webhooks import EventType
from advocacy.models import (
    AuditEntry,
    Contact,
    OutboxMessage,
    Person,
    Survey,
    Touchpoint,
    WebhookDelivery,
)
from advocacy.models import Testimonial as Quote  # pytest would collect Test* names
from advocacy.repository.mail import suppressed_categories
from advocacy.services.privacy import access
from advocacy.services.webhooks import events as webhook_events
from advocacy.services.webhooks.endpoints import register_endpoint
from tests.conftest import NOW
from tests.factories import bearer, csrf_from, make_staff, make_token, signed_in_client


def _chosen_person(session: Session) -> int:
    """A demo person with a unique name, a published testimonial and the most touchpoints."""
    unique_names = (
        select(Person.full_name).group_by(col(Person.full_name)).having(func.count() == 1)
    )
    query = (
        select(Contact.person_id)
        .join(Person, col(Person.id) == col(Contact.person_id))
        .join(Quote, col(Quote.contact_id) == col(Contact.id))
        .join(Touchpoint, col(Touchpoint.contact_id) == col(Contact.id))
        .where(col(Quote.status) == "published", col(Person.full_name).in_(unique_names))
        .group_by(col(Contact.person_id))
        .order_by(func.count().desc(), col(Contact.person_id))
        .limit(1)
    )
    return int(session.execute(query).scalar_one())


def _occurrences(session: Session, value: str) -> list[str]:
    """Every table.column in the whole database whose text holds `value`, whatever its case."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not _is_text(column):
                continue
            hits = session.execute(
                select(func.count())
                .select_from(table)
                .where(func.lower(column).contains(value.lower(), autoescape=True))
            ).scalar_one()
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found


def _is_text(column: Any) -> bool:
    return isinstance(column.type, AutoString | String | Text)


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Touchpoint, Survey, OutboxMessage, Contact, Quote)
    }


@pytest.fixture
def demo_app(app_factory: Any) -> Flask:
    app: Flask = app_factory(webhooks_allowed_private_networks="127.0.0.0/8")
    with app.app_context():
        loader.load_demo(db_session(), size="small", now=NOW)
    return app


def test_an_erased_person_is_nowhere_and_the_figures_still_add_up(demo_app: Flask) -> None:
    with demo_app.app_context():
        session = db_session()
        person_id = _chosen_person(session)
        contacts = (
            session.exec(select(Contact).where(Contact.person_id == person_id)).scalars().all()
        )
        contact_id, account_id = contacts[0].id, contacts[0].account_id
        name = session.get(Person, person_id).full_name  # type: ignore[union-attr]
        emails = sorted({c.email for c in contacts if c.email})
        quotes = session.execute(
            select(Quote.body).where(col(Quote.contact_id).in_([c.id for c in contacts]))
        ).scalars()
        erased = [name, *emails, *(body[:60] for body in quotes if len(body) >= 30)]
        for value in erased:
            assert _occurrences(session, value), f"{value!r} was not in the database to begin with"
        # The firm's CRM was told about the person's quote before: the stored body names them.
        admin_user = make_staff(demo_app, role="admin")
        register_endpoint(
            session,
            demo_app.config["ADVOCACY"],
            url="http://127.0.0.1:9/crm",
            events=[EventType.TESTIMONIAL_PUBLISHED.value, EventType.TESTIMONIAL_WITHDRAWN.value],
            scope="internal",
            by=admin_user,
            now=NOW,
        )
        quote = (
            session.exec(select(Quote).where(col(Quote.contact_id).in_([c.id for c in contacts])))
            .scalars()
            .first()
        )
        assert quote is not None
        webhook_events.testimonial_changed(session, quote, EventType.TESTIMONIAL_PUBLISHED, now=NOW)
        session.commit()
        assert "webhook_deliveries.payload" in _occurrences(session, name)
        before = _counts(session)
        reader = make_token(session, make_staff(demo_app, role="admin"), ("read",))
        website = make_token(session, make_staff(demo_app, role="admin"), ("publish",))
    admin = signed_in_client(demo_app, make_staff(demo_app, role="admin"))

    plan_page = admin.get(f"/contacts/{contact_id}/erase")
    assert plan_page.status_code == 200
    assert "cannot be undone" in plan_page.get_data(as_text=True)
    csrf = csrf_from(plan_page.get_data(as_text=True))
    wrong = admin.post(
        f"/contacts/{contact_id}/erase", data={"csrf_token": csrf, "confirm_name": "Someone Else"}
    )
    assert wrong.status_code == 422
    assert "to confirm" in wrong.get_data(as_text=True)
    with demo_app.app_context():
        assert _occurrences(db_session(), name), "a refused erasure changed something"

    done = admin.post(
        f"/contacts/{contact_id}/erase", data={"csrf_token": csrf, "confirm_name": name.upper()}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/accounts/{account_id}")

    with demo_app.app_context():
        session = db_session()
        for value in erased:
            assert _occurrences(session, value) == [], value
        assert _counts(session) == before  # rows kept, emptied: the firm's figures stay right
        for email in emails:
            assert "all" in suppressed_categories(session, email)  # never mailed again
        # The CRM hears that the quote is gone, in a body that names nobody.
        told = (
            session.exec(
                select(WebhookDelivery).where(
                    WebhookDelivery.event_type == EventType.TESTIMONIAL_WITHDRAWN.value
                )
            )
            .scalars()
            .all()
        )
        assert told and all(delivery.status == "pending" for delivery in told)
        erasures = (
            session.exec(select(AuditEntry).where(AuditEntry.action == "person.erased"))
            .scalars()
            .all()
        )
        assert [(e.subject_type, e.subject_id) for e in erasures] == [("person", person_id)]
        document = str(access.personal_data_of(session, person_id, now=NOW).as_json())
    surfaces = [
        admin.get(f"/contacts/{contact_id}"),
        admin.get(f"/accounts/{account_id}"),
        admin.get("/library"),
        demo_app.test_client().get("/wall"),
        demo_app.test_client().get("/api/v1/testimonials", headers=bearer(website)),
        demo_app.test_client().get(
            f"/api/v1/contacts?account_id={account_id}", headers=bearer(reader)
        ),
    ]
    for response in surfaces:
        assert response.status_code == 200, response.request.path
        text = response.get_data(as_text=True)
        for value in erased:
            assert value not in text, (response.request.path, value)
    for value in erased:
        assert value not in document

    again = admin.get(f"/contacts/{contact_id}/erase")
    assert again.status_code == 302  # already erased: back to the contact with the reason


def test_the_command_erases_after_the_name_is_typed_and_no_import_brings_them_back(
    demo_app: Flask, tmp_path: Path
) -> None:
    with demo_app.app_context():
        session = db_session()
        person_id = _chosen_person(session)
        contact = (
            session.exec(select(Contact).where(Contact.person_id == person_id)).scalars().first()
        )
        assert contact is not None and contact.email
        email, name = contact.email, session.get(Person, person_id).full_name  # type: ignore[union-attr]
    runner: Any = demo_app.test_cli_runner()

    refused = runner.invoke(args=["contacts", "erase", email], input="Not Them\n")
    assert refused.exit_code == 1
    assert "to confirm" in refused.output
    erased = runner.invoke(args=["contacts", "erase", email.upper(), "--confirm-name", name])
    assert erased.exit_code == 0, erased.output
    assert f"person {person_id} erased" in erased.output
    with demo_app.app_context():
        session = db_session()
        assert (
            session.execute(
                select(func.count()).where(or_(func.lower(col(Contact.email)) == email.lower()))
            ).scalar_one()
            == 0
        )
    missing = runner.invoke(args=["contacts", "erase", email])
    assert missing.exit_code == 1
    assert "no contact with the e-mail address" in missing.output

    # A CRM file naming the erased address again is refused, with the reason.
    export = tmp_path / "crm.csv"
    export.write_text(
        f"First Name,Last Name,Email,Company Name\nSomeone,Else,{email.upper()},New Company\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "contacts", str(export)])
    assert result.exit_code != 0
    assert "erased at their request" in result.output
    with demo_app.app_context():
        assert (
            db_session()
            .execute(select(func.count()).where(func.lower(col(Contact.email)) == email.lower()))
            .scalar_one()
            == 0
        )
