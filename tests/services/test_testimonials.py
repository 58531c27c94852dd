"""Testimonial use cases on a real database: a client writes one through a link (consent rows with
the wording, the time and the link), staff take one down for approval, marketing approves and
publishes, edits go back to the client, withdrawal and expiry end every use at once."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlmodel import Session, select

from advocacy import models
from advocacy.adapters.images import PictureStore
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.testimonials import Use
from advocacy.models import ClientLink, OutboxMessage, PermissionChange
from advocacy.services.voice import testimonial_consent, testimonial_mail, testimonials
from advocacy.services.voice.testimonial_consent import Choices, Draft
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_mail_contact,
    make_testimonial,
    make_testimonial_link,
    make_user,
)

NEXT_YEAR = date(2027, 11, 23)
WORDING = {use: f"shown: {use.value}" for use in Use}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def store(tmp_path: Path) -> PictureStore:
    return PictureStore(tmp_path / "uploads")


def draft(**fields: object) -> Draft:
    values: dict[str, object] = {
        "body": "They **listened**.\n- faster\n- cheaper",
        "rating": 5,
        "display_name": "Ann Client",
        "display_title": "CFO",
        "display_company": "",
        "choices": Choices({Use.NAMED_PUBLIC: None, Use.LOGO: NEXT_YEAR}, WORDING),
    }
    values.update(fields)
    return Draft(**values)  # type: ignore[arg-type]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(out, format="PNG")
    return out.getvalue()


def messages_to(session: Session, email: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.to_email == email)
    return list(session.exec(query.order_by(OutboxMessage.id)))


def test_a_client_testimonial_keeps_wording_time_and_link_of_each_use_and_spends_the_link(
    ctx: Flask, session: Session, store: PictureStore
) -> None:
    account = make_account(session, name="Acme Industrial", industry="Manufacturing")
    contact = make_mail_contact(session, account, full_name="Ann Client")
    token = make_testimonial_link(session, contact)
    testimonial = testimonial_consent.submit_testimonial(
        session, token, draft(logo=png()), store=store, now=NOW
    )
    assert testimonial is not None
    assert testimonial.status == "submitted" and testimonial.origin == "client"
    assert testimonial.body_html == (
        "<p>They <strong>listened</strong>.</p><ul><li>faster</li><li>cheaper</li></ul>"
    )
    assert testimonial.display_company == "Acme Industrial"  # prefilled when left empty
    assert testimonial.industry == "Manufacturing"
    assert store.path_of(testimonial.logo_path) is not None
    changes = session.exec(select(PermissionChange).order_by(PermissionChange.use)).all()
    link = session.exec(select(ClientLink).where(ClientLink.purpose == "testimonial")).one()
    assert [(c.use, c.action, c.expires_on, c.wording, c.link_id, c.at) for c in changes] == [
        ("logo", "grant", NEXT_YEAR, "shown: logo", link.id, NOW),
        ("named_public", "grant", None, "shown: named_public", link.id, NOW),
    ]
    assert link.used_at == NOW
    assert (
        testimonial_consent.submit_testimonial(session, token, draft(), store=store, now=NOW)
        is None
    )


def test_a_bad_upload_refuses_the_whole_form_and_writes_nothing(
    ctx: Flask, session: Session, store: PictureStore
) -> None:
    contact = make_mail_contact(session)
    token = make_testimonial_link(session, contact)
    bad = draft(photo=b"GIF89a not really", logo=png())
    with pytest.raises(RuleError):
        testimonial_consent.submit_testimonial(session, token, bad, store=store, now=NOW)
    assert "photo" in bad.errors and "logo" not in bad.errors
    session.rollback()
    assert testimonial_consent.new_link(session, token, now=NOW) is not None  # the link still works
    assert not store.folder.exists() or not any(store.folder.iterdir())


def test_a_survey_link_ties_the_testimonial_to_the_survey_of_the_same_contact(
    ctx: Flask, session: Session, store: PictureStore
) -> None:
    contact = make_mail_contact(session)
    token = make_testimonial_link(session, contact, object_type="survey", object_id=999_999)
    testimonial = testimonial_consent.submit_testimonial(
        session, token, draft(), store=store, now=NOW
    )
    assert testimonial is not None and testimonial.survey_id is None  # unknown survey: ignored


def test_an_expired_or_past_expiry_is_refused(
    ctx: Flask, session: Session, store: PictureStore
) -> None:
    contact = make_mail_contact(session)
    token = make_testimonial_link(session, contact, valid_for=timedelta(days=1))
    past = draft(choices=Choices({Use.LOGO: NOW.date()}, WORDING))
    with pytest.raises(RuleError):
        testimonial_consent.submit_testimonial(session, token, past, store=store, now=NOW)
    session.rollback()
    later = NOW + timedelta(days=2)
    assert (
        testimonial_consent.submit_testimonial(session, token, draft(), store=store, now=later)
        is None
    )


def test_withdrawing_the_logo_from_the_manage_link_ends_that_use_only_and_is_recorded(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    testimonial = make_testimonial(
        session, contact, status="published", uses={"named_public": None, "logo": NEXT_YEAR}
    )
    token = make_testimonial_link(session, contact, purpose="manage")
    assert testimonials.uses_today(session, testimonial, now=NOW) == {Use.NAMED_PUBLIC, Use.LOGO}
    later = NOW + timedelta(days=10)
    done = testimonial_consent.change_permissions(
        session, token, testimonial.id, Choices({Use.NAMED_PUBLIC: None}, WORDING), now=later
    )
    assert done is not None
    assert testimonials.uses_today(session, testimonial, now=later) == {Use.NAMED_PUBLIC}
    last = session.exec(select(PermissionChange).order_by(PermissionChange.id.desc())).first()
    assert last is not None
    assert (last.use, last.action, last.via, last.at) == ("logo", "withdraw", "link", later)


def test_a_manage_link_changes_only_its_own_contacts_testimonials(
    ctx: Flask, session: Session
) -> None:
    mine = make_mail_contact(session)
    other = make_testimonial(session, make_mail_contact(session), uses={"logo": None})
    token = make_testimonial_link(session, mine, purpose="manage")
    assert (
        testimonial_consent.change_permissions(
            session, token, other.id, Choices({}, WORDING), now=NOW
        )
        is None
    )
    assert (
        testimonial_consent.withdraw_by_client(session, token, other.id, wording=WORDING, now=NOW)
        is None
    )
    row = session.exec(select(models.TestimonialPermission)).one()
    assert row.withdrawn_at is None


def test_withdrawal_by_the_client_ends_every_use_at_once(ctx: Flask, session: Session) -> None:
    contact = make_mail_contact(session)
    testimonial = make_testimonial(session, contact, status="published", uses={"logo": None})
    token = make_testimonial_link(session, contact, purpose="manage")
    testimonial_consent.withdraw_by_client(session, token, testimonial.id, wording=WORDING, now=NOW)
    assert testimonial.status == "withdrawn"
    assert testimonials.uses_today(session, testimonial, now=NOW) == frozenset()
    with pytest.raises(RuleError):
        testimonial_consent.change_permissions(
            session, token, testimonial.id, Choices({Use.LOGO: None}, WORDING), now=NOW
        )


def test_marketing_approves_and_publishes_and_an_account_manager_may_not(
    ctx: Flask, session: Session
) -> None:
    testimonial = make_testimonial(session, make_mail_contact(session))
    manager = make_user(session, role="account_manager")
    with pytest.raises(NotAllowed):
        testimonials.approve(session, testimonial.id, by=manager, now=NOW)
    marketer = make_user(session, role="marketing")
    with pytest.raises(RuleError):
        testimonials.publish(session, testimonial.id, by=marketer, now=NOW)  # not approved yet
    session.rollback()
    testimonials.approve(session, testimonial.id, by=marketer, now=NOW)
    testimonials.publish(session, testimonial.id, by=marketer, now=NOW)
    assert testimonial.status == "published" and testimonial.approved_by_id == marketer.id


def test_an_edit_waits_for_the_client_and_a_rejection_keeps_the_old_text(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    testimonial = make_testimonial(session, contact, status="approved", approved_at=NOW)
    marketer = make_user(session, role="marketing")
    settings = ctx.config["ADVOCACY"]
    testimonials.propose_edit(
        session,
        settings,
        testimonial.id,
        "They listened, and it really worked.",
        by=marketer,
        now=NOW,
    )
    assert testimonial.status == "awaiting_reapproval"
    assert testimonial.body == "They listened, and it *worked*."
    message = messages_to(session, contact.email)[-1]
    assert message.category == "advocacy_ask" and "/c/manage/" in message.text_body
    token = re.search(r"/c/testimonial/review/([A-Za-z0-9_-]+)", message.text_body).group(1)  # type: ignore[union-attr]
    assert testimonial_consent.answer_edit(session, token, accept=False, now=NOW) is not None
    assert testimonial.status == "approved" and testimonial.proposed_body == ""
    assert testimonial.body == "They listened, and it *worked*."
    assert (
        testimonial_consent.answer_edit(session, token, accept=True, now=NOW) is None
    )  # link spent


def test_an_accepted_edit_becomes_the_text_and_a_published_one_stays_published(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    testimonial = make_testimonial(
        session, contact, status="published", approved_at=NOW, published_at=NOW
    )
    admin = make_user(session, role="admin")
    settings = ctx.config["ADVOCACY"]
    testimonials.propose_edit(session, settings, testimonial.id, "New *text*.", by=admin, now=NOW)
    token = make_testimonial_link(
        session, contact, object_type="testimonial", object_id=testimonial.id
    )
    testimonial_consent.answer_edit(session, token, accept=True, now=NOW)
    assert testimonial.status == "published"
    assert (
        testimonial.body == "New *text*." and testimonial.body_html == "<p>New <em>text</em>.</p>"
    )


def test_an_interview_waits_for_the_client_who_approves_and_chooses_uses(
    ctx: Flask, session: Session, store: PictureStore
) -> None:
    owner = make_user(session, role="account_manager")
    account = make_account(session, owner=owner)
    contact = make_mail_contact(session, account, title="COO")
    settings = ctx.config["ADVOCACY"]
    testimonial = testimonials.record_interview(
        session,
        settings,
        account.id,
        testimonials.Interview(contact_id=contact.id, body="They saved our year."),
        by=owner,
        now=NOW,
    )
    assert testimonial.status == "awaiting_client" and testimonial.display_title == "COO"
    message = messages_to(session, contact.email)[-1]
    token = re.search(r"/c/testimonial/review/([A-Za-z0-9_-]+)", message.text_body).group(1)  # type: ignore[union-attr]
    done = testimonial_consent.approve_interview(
        session, token, draft(choices=Choices({Use.INTERNAL: None}, WORDING)), store=store, now=NOW
    )
    assert done is not None and done.status == "submitted"
    assert testimonials.uses_today(session, done, now=NOW) == frozenset()  # not approved yet


def test_an_account_that_must_not_be_asked_gets_no_ask_and_no_interview_row(
    ctx: Flask, session: Session
) -> None:
    owner = make_user(session, role="account_manager")
    account = make_account(session, owner=owner)
    account.do_not_ask = True
    session.commit()
    contact = make_mail_contact(session, account)
    settings = ctx.config["ADVOCACY"]
    with pytest.raises(RuleError):
        testimonials.ask_for_testimonial(
            session, settings, account.id, contact.id, by=owner, now=NOW
        )
    with pytest.raises(RuleError):
        testimonials.record_interview(
            session,
            settings,
            account.id,
            testimonials.Interview(contact.id, "Great."),
            by=owner,
            now=NOW,
        )
    session.rollback()
    assert messages_to(session, contact.email) == []


def test_an_ask_refused_by_consent_leaves_no_link(ctx: Flask, session: Session) -> None:
    owner = make_user(session, role="account_manager")
    account = make_account(session, owner=owner)
    contact = make_mail_contact(session, account, consent_basis="")
    settings = ctx.config["ADVOCACY"]
    with pytest.raises(RuleError):
        testimonials.ask_for_testimonial(
            session, settings, account.id, contact.id, by=owner, now=NOW
        )
    assert session.exec(select(ClientLink)).all() == []


def test_the_ask_carries_the_link_and_the_manage_link_in_its_footer(
    ctx: Flask, session: Session
) -> None:
    owner = make_user(session, role="account_manager")
    account = make_account(session, owner=owner)
    contact = make_mail_contact(session, account)
    settings = ctx.config["ADVOCACY"]
    result = testimonials.ask_for_testimonial(
        session, settings, account.id, contact.id, by=owner, now=NOW
    )
    assert result.created
    message = messages_to(session, contact.email)[0]
    assert "/c/testimonial/new/" in message.text_body
    assert "/c/manage/" in message.html_body and "/c/manage/" in message.text_body


def test_the_daily_job_expires_permissions_then_the_testimonial_once_nothing_is_left(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session)
    soon, later = date(2026, 12, 1), date(2027, 1, 1)
    testimonial = make_testimonial(
        session, contact, status="published", uses={"logo": soon, "named_public": later}
    )
    assert testimonials.expire_due(session, now=NOW) == testimonials.ExpiryReport(0, 0)
    after_soon = NOW + timedelta(days=10)
    assert testimonials.expire_due(session, now=after_soon) == testimonials.ExpiryReport(1, 0)
    assert testimonials.expire_due(session, now=after_soon) == testimonials.ExpiryReport(0, 0)
    assert testimonials.uses_today(session, testimonial, now=after_soon) == {Use.NAMED_PUBLIC}
    after_later = NOW + timedelta(days=60)
    assert testimonials.expire_due(session, now=after_later) == testimonials.ExpiryReport(1, 1)
    assert testimonial.status == "expired"
    actions = [c.action for c in session.exec(select(PermissionChange)).all()]
    assert actions.count("expiry") == 2


def test_a_fresh_manage_link_goes_only_to_a_known_address_once_an_hour(
    ctx: Flask, session: Session
) -> None:
    contact = make_mail_contact(session, email="ann@client.example")
    settings = ctx.config["ADVOCACY"]
    assert testimonial_mail.renew_manage_link(session, settings, "nobody@x.example", now=NOW) == 0
    assert (
        testimonial_mail.renew_manage_link(session, settings, " ANN@client.example", now=NOW) == 1
    )
    assert testimonial_mail.renew_manage_link(session, settings, "ann@client.example", now=NOW) == 0
    (message,) = messages_to(session, contact.email)
    assert message.category == "transactional" and "/c/manage/" in message.text_body
