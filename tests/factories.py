"""Test data factories: real rows through the real models."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from advocacy.adapters.passwords import hash_password
from advocacy.db import db_session
from advocacy.models import User
from tests.conftest import NOW

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: str = "account_manager",
    email: str | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
    created_at: datetime = NOW,
    **fields: Any,
) -> User:
    """A committed user; with the default password unless `password=None` (invited)."""
    user = User(
        email=email or f"user{next(_numbers)}@firm.example",
        role=role,
        active=active,
        created_at=created_at,
        password_hash=hash_password(password) if password else None,
        **fields,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def csrf_from(html: str, prefix: str = "") -> str:
    """The CSRF token in a page's HTML (of the form whose fields start with `prefix`)."""
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html) or re.search(
        rf'name="{name}" value="([^"]+)"', html
    )
    assert match, f"no CSRF token {name} on the page"
    return match.group(1)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page hands out, read the way a browser would."""
    return csrf_from(client.get(path).get_data(as_text=True))


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the real form (CSRF token included)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def make_staff(app: Flask, role: str = "account_manager", email: str | None = None) -> User:
    """A committed staff user, made inside the app's context (for page tests)."""
    with app.app_context():
        return make_user(db_session(), role=role, email=email)


def signed_in_client(app: Flask, user: User) -> FlaskClient:
    """A test client signed in as `user` through the real login form."""
    client = app.test_client()
    sign_in(client, user.email)
    return client


def page_html(client: FlaskClient, path: str) -> str:
    """The HTML of a page that must answer 200."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def make_account(session: Session, *, owner: User | None = None, **fields: Any) -> Any:
    """A committed account through the real service (history row included)."""
    from advocacy.models import AccountCreate
    from advocacy.services.journey.accounts import add_account

    data = AccountCreate(
        name=fields.pop("name", f"Account {next(_numbers)}"),
        owner_id=owner.id if owner else None,
        **fields,
    )
    account = add_account(session, data, by=owner, now=NOW)
    session.commit()
    return account


def make_contact(session: Session, account: Any, **fields: Any) -> Any:
    """A committed contact (and person) at `account`."""
    from advocacy.models import ContactCreate
    from advocacy.services.journey.people import add_contact_to

    data = ContactCreate(full_name=fields.pop("full_name", f"Person {next(_numbers)}"), **fields)
    contact = add_contact_to(session, account, data, now=NOW)
    session.commit()
    return contact


def make_service_line(session: Session, name: str | None = None) -> Any:
    from advocacy.models import ServiceLineCreate
    from advocacy.services.journey.catalogue import create_service_line

    return create_service_line(
        session, ServiceLineCreate(name=name or f"Service line {next(_numbers)}"), now=NOW
    )


def make_token(
    session: Session, user: User, scopes: tuple[str, ...] = ("read",), **options: Any
) -> str:
    """A committed API token for `user`; returns the secret to send as a bearer token."""
    from advocacy.services.access.tokens import create_token

    assert user.id is not None
    return create_token(session, user.id, scopes, now=options.pop("now", NOW), **options).secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_engagement(
    session: Session, account: Any, *, by: User | None = None, **fields: Any
) -> Any:
    """A committed engagement at `account` (the journey follows it, as in real use)."""
    from advocacy.models import EngagementCreate
    from advocacy.services.journey.engagements import add_engagement_to

    data = EngagementCreate(title=fields.pop("title", f"Mandate {next(_numbers)}"), **fields)
    engagement = add_engagement_to(session, account, data, by=by, now=NOW)
    session.commit()
    return engagement


def make_touchpoint(session: Session, account: Any, **fields: Any) -> Any:
    """A committed touchpoint on `account` (a call we started, an hour before NOW, by default)."""
    from datetime import timedelta

    from advocacy.models import TouchpointCreate
    from advocacy.services.journey.touchpoints import add_touchpoint_to

    fields.setdefault("kind", "call")
    fields.setdefault("initiative", "firm")
    fields.setdefault("occurred_at", NOW - timedelta(hours=1))
    touchpoint = add_touchpoint_to(session, account, TouchpointCreate(**fields), by=None, now=NOW)
    session.commit()
    return touchpoint


def make_sent_message(session: Session, **fields: Any) -> Any:
    """A committed outbox message as the send path leaves it after sending (inbound-mail tests)."""
    from advocacy.models import OutboxMessage

    number = next(_numbers)
    fields.setdefault("status", "sent")
    fields.setdefault("sent_at", NOW if fields["status"] == "sent" else None)
    message = OutboxMessage(
        idempotency_key=fields.pop("idempotency_key", f"test:{number}"),
        category=fields.pop("category", "nurture"),
        template=fields.pop("template", "nurture"),
        to_email=fields.pop("to_email", f"client{number}@client.example"),
        subject=fields.pop("subject", f"Insights {number}"),
        html_body=fields.pop("html_body", "<p>Hello</p>"),
        text_body=fields.pop("text_body", "Hello"),
        next_attempt_at=NOW,
        queued_at=fields.pop("queued_at", NOW),
        updated_at=NOW,
        **fields,
    )
    session.add(message)
    session.commit()
    session.refresh(message)
    return message


def make_unsubscribe_link(session: Session, email: str, **fields: Any) -> str:
    """A committed unsubscribe link for `email`; returns its token."""
    from advocacy.services.access.client_links import create_link

    token = create_link(session, purpose="unsubscribe", email=email, now=NOW, **fields)
    session.commit()
    return token


def make_mail_contact(session: Session, account: Any = None, **fields: Any) -> Any:
    """A committed contact who may receive client e-mail (address and consent basis)."""
    account = account or make_account(session)
    number = next(_numbers)
    fields.setdefault("email", f"client{number}@client.example")
    fields.setdefault("consent_basis", "contract")
    return make_contact(session, account, **fields)


def queue_staff_notices(session: Session, count: int, *, now: datetime = NOW, **options: Any):
    """Queue `count` transactional notices to distinct staff addresses (one per message).

    Needs an application context (templates); returns the outbox message ids.
    """
    from advocacy.services.mail.queue import queue_email

    ids = []
    for index in range(count):
        result = queue_email(
            session,
            category="transactional",
            template="staff_notice",
            to=f"staff{index}@firm.example",
            source=("test", index),
            context={"title": f"Notice {index}", "message": "Something to look at."},
            now=now,
            **options,
        )
        assert result.queued, result
        ids.append(result.message_id)
    session.commit()  # queue_email leaves the commit to its caller
    return ids


def make_survey(session: Session, settings: Any, *, kind: str = "nps", **options: Any) -> Any:
    """A survey sent on demand to a new reachable contact; returns (survey, token from the e-mail).

    Needs an application context (the e-mail is rendered). `account` and `contact` may be given.
    """
    import re

    from sqlmodel import select

    from advocacy.domain.surveys import SurveyKind
    from advocacy.models import OutboxMessage
    from advocacy.services.voice.surveys import send_on_demand

    now = options.pop("now", NOW)
    owner = options.pop("owner", None) or make_user(session, role="admin")
    account = options.pop("account", None) or make_account(session, owner=owner)
    contact = options.pop("contact", None) or make_mail_contact(session, account, **options)
    survey = send_on_demand(
        session,
        settings,
        account.id,
        contact_id=contact.id,
        kind=SurveyKind(kind),
        by=owner,
        now=now,
    )
    assert survey.status == "sent", survey.refusal
    message = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.source_type == "survey", OutboxMessage.source_id == survey.id
        )
    ).one()
    match = re.search(r"/c/survey/([A-Za-z0-9_-]+)", message.text_body)
    assert match, "no survey link in the e-mail"
    return survey, match.group(1)


def make_testimonial_link(session: Session, contact: Any, **fields: Any) -> str:
    """A committed link for `contact` to write a testimonial (or to review one, with
    object_type="testimonial"); returns its token."""
    from datetime import timedelta

    from advocacy.services.access.client_links import create_link

    purpose = fields.pop("purpose", "testimonial")
    now = fields.pop("now", NOW)
    token = create_link(
        session,
        purpose=purpose,
        email=contact.email or "",
        contact_id=contact.id,
        valid_for=fields.pop("valid_for", timedelta(days=30)),
        now=now,
        **fields,
    )
    session.commit()
    return token


def make_testimonial(
    session: Session, contact: Any, *, uses: dict[str, Any] | None = None, **fields: Any
) -> Any:
    """A committed testimonial by `contact` (submitted by default) with permissions `uses`
    ({use: expires_on or None}), each with its consent record."""
    from advocacy.models import PermissionChange, Testimonial, TestimonialPermission

    body = fields.pop("body", "They listened, and it *worked*.")
    testimonial = Testimonial(
        account_id=contact.account_id,
        contact_id=contact.id,
        origin=fields.pop("origin", "client"),
        status=fields.pop("status", "submitted"),
        body=body,
        body_html=fields.pop("body_html", f"<p>{body}</p>"),
        display_name=fields.pop("display_name", "Ann Client"),
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )
    session.add(testimonial)
    session.flush()
    for use, expires_on in (uses or {"internal": None}).items():
        session.add(
            TestimonialPermission(
                testimonial_id=testimonial.id, use=use, expires_on=expires_on, granted_at=NOW
            )
        )
        session.add(
            PermissionChange(
                testimonial_id=testimonial.id,
                contact_id=contact.id,
                use=use,
                action="grant",
                expires_on=expires_on,
                wording=f"wording of {use}",
                via="link",
                at=NOW,
            )
        )
    session.commit()
    session.refresh(testimonial)
    return testimonial
