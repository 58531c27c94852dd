"""Test data factories: real rows through the real models."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session

from advocacy.adapters.passwords import hash_password
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


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page hands out, read the way a browser would."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the real form (CSRF token included)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def make_account(session: Session, *, owner: User | None = None, **fields: Any) -> Any:
    """A committed account through the real service (history row included)."""
    from advocacy.models import AccountCreate
    from advocacy.services.journey import add_account

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
    from advocacy.services.people import add_contact_to

    data = ContactCreate(full_name=fields.pop("full_name", f"Person {next(_numbers)}"), **fields)
    contact = add_contact_to(session, account, data, now=NOW)
    session.commit()
    return contact


def make_service_line(session: Session, name: str | None = None) -> Any:
    from advocacy.models import ServiceLineCreate
    from advocacy.services.catalogue import create_service_line

    return create_service_line(
        session, ServiceLineCreate(name=name or f"Service line {next(_numbers)}"), now=NOW
    )
