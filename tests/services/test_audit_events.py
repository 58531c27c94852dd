"""Consent, testimonial, journey, import and export use cases each leave one audit entry, in the
same transaction as what they change, naming who acted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from advocacy.domain.csv_fields import Kind
from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Stage
from advocacy.domain.testimonials import Use
from advocacy.models import AuditEntry
from advocacy.services.imports import csv_files
from advocacy.services.journey import accounts
from advocacy.services.mail import consent
from advocacy.services.voice import testimonial_consent, testimonials
from advocacy.services.voice.testimonial_consent import Choices
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_mail_contact,
    make_testimonial,
    make_testimonial_link,
    make_user,
)

WORDING = {use: f"shown: {use.value}" for use in Use}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def _entries(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    query = select(AuditEntry).where(AuditEntry.action == action)
    return list(session.exec(query.order_by(col(AuditEntry.id))))


def test_approval_and_publication_name_the_marketer(ctx: Flask, session: Session) -> None:
    marketer = make_user(session, role="marketing")
    testimonial = make_testimonial(session, make_mail_contact(session))
    testimonials.approve(session, testimonial.id, by=marketer, now=NOW)
    testimonials.publish(session, testimonial.id, by=marketer, now=NOW)
    [approved] = _entries(session, "testimonial.approved")
    [published] = _entries(session, "testimonial.published")
    for entry in (approved, published):
        assert (entry.actor_kind, entry.actor_id) == ("user", marketer.id)
        assert (entry.subject_type, entry.subject_id) == ("testimonial", testimonial.id)
    assert json.loads(published.details_json) == {"from": "approved", "to": "published"}


def test_a_refused_publication_records_nothing(ctx: Flask, session: Session) -> None:
    manager = make_user(session, role="account_manager")
    testimonial = make_testimonial(session, make_mail_contact(session))
    with pytest.raises(RuleError):
        testimonials.publish(
            session, testimonial.id, by=make_user(session, role="marketing"), now=NOW
        )
    with pytest.raises(Exception):  # noqa: B017 - NotAllowed or RuleError: either refuses
        testimonials.approve(session, testimonial.id, by=manager, now=NOW)
    assert _entries(session, "testimonial.published") == []
    assert _entries(session, "testimonial.approved") == []


def test_a_client_changing_permissions_through_a_link_is_the_actor(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    testimonial = make_testimonial(
        session, contact, status="published", uses={"named_public": None, "logo": None}
    )
    token = make_testimonial_link(session, contact, purpose="manage")
    later = NOW + timedelta(days=1)
    testimonial_consent.change_permissions(
        session, token, testimonial.id, Choices({Use.NAMED_PUBLIC: None}, WORDING), now=later
    )
    [entry] = _entries(session, "testimonial.permission_changed")
    assert (entry.actor_kind, entry.actor_id) == ("client_link", contact.id)
    assert entry.actor_label == f"contact #{contact.id}"
    assert json.loads(entry.details_json) == {"granted": "", "withdrawn": "logo", "source": "link"}
    testimonial_consent.withdraw_by_client(
        session, token, testimonial.id, wording=WORDING, now=later
    )
    [withdrawn] = _entries(session, "testimonial.withdrawn")
    assert (withdrawn.actor_kind, withdrawn.subject_id) == ("client_link", testimonial.id)


def test_a_stage_moved_by_hand_is_recorded_without_its_reason(ctx: Flask, session: Session) -> None:
    owner = make_user(session, role="admin")
    account = make_account(session, owner=owner)
    accounts.move_account_to_stage(
        session, account.id, Stage.ACTIVE, reason="Signed on Tuesday", by=owner, now=NOW
    )
    [entry] = _entries(session, "account.stage_changed")
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (
        owner.id,
        "account",
        account.id,
    )
    assert json.loads(entry.details_json)["to"] == "active"
    assert "Tuesday" not in entry.details_json


def test_a_manual_suppression_by_staff_is_a_consent_change(ctx: Flask, session: Session) -> None:
    admin = make_user(session, role="admin")
    consent.add_manual_suppression(
        session, "someone@client.example", ["nurture"], reason="asked by phone", by=admin, now=NOW
    )
    [entry] = _entries(session, "consent.changed")
    assert (entry.actor_kind, entry.actor_id) == ("user", admin.id)
    assert json.loads(entry.details_json) == {
        "categories": "nurture",
        "status": "suppress",
        "source": "staff",
    }
    assert "someone@client.example" not in entry.details_json + entry.actor_label


def test_an_import_and_an_export_are_recorded(ctx: Flask, session: Session) -> None:
    admin = make_user(session, role="admin")
    from advocacy.adapters.csv_files import read_table

    table = read_table(b"name,industry\nAcme,Retail\nBeta,Law\n", max_bytes=10_000)
    mapping = csv_files.mapping_for(Kind.ACCOUNTS, table.headers)
    report = csv_files.run_import(session, Kind.ACCOUNTS, table, mapping, now=NOW, by=admin)
    assert report.applied, report.rejected
    [imported] = _entries(session, "import.run")
    assert imported.actor_id == admin.id
    assert json.loads(imported.details_json) == {
        "kind": "accounts",
        "created": 2,
        "updated": 0,
        "skipped": 0,
    }
    csv_files.record_export(session, Kind.CONTACTS, by=admin, now=NOW)
    [exported] = _entries(session, "export.run")
    assert (exported.actor_id, exported.details_json) == (admin.id, '{"kind": "contacts"}')


def test_a_refused_import_records_nothing(ctx: Flask, session: Session) -> None:
    from advocacy.adapters.csv_files import read_table

    table = read_table(b"name,industry\n,Retail\n", max_bytes=10_000)
    mapping = csv_files.mapping_for(Kind.ACCOUNTS, table.headers)
    report = csv_files.run_import(session, Kind.ACCOUNTS, table, mapping, now=NOW, by=None)
    assert not report.applied
    assert _entries(session, "import.run") == []
