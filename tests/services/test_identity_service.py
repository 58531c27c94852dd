"""Staff identity use cases on a real database session."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlmodel import Session, select

from advocacy.demo import loader
from advocacy.domain.identity import IdentityError
from advocacy.models import User
from advocacy.services.access import identity
from tests.factories import PASSWORD, make_user


def _count_users(session: Session) -> int:
    return len(session.exec(select(User)).all())


def test_create_user_normalises_the_email_and_hashes_the_password(
    session: Session, now: datetime
) -> None:
    user = identity.create_user(session, " Ana@Firm.Example ", "admin", password=PASSWORD, now=now)
    assert user.email == "ana@firm.example"
    assert user.password_hash and PASSWORD not in user.password_hash
    assert identity.authenticate(session, "ana@firm.example", PASSWORD, now=now).id == user.id


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("not-an-email", "admin", PASSWORD, "valid e-mail"),
        ("ana@firm.example", "owner", PASSWORD, "unknown role"),
        ("ana@firm.example", "admin", "short", "at least 12"),
    ],
)
def test_create_user_refuses_bad_input_and_writes_nothing(
    session: Session, now: datetime, email: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(IdentityError, match=message):
        identity.create_user(session, email, role, password=password, now=now)
    session.rollback()
    assert _count_users(session) == 0


def test_an_email_can_belong_to_one_user_only(session: Session, now: datetime) -> None:
    make_user(session, email="ana@firm.example")
    with pytest.raises(IdentityError, match="already exists"):
        identity.invite_user(
            session, "ANA@firm.example", "marketing", name="", by=make_user(session), now=now
        )


def test_an_invited_user_has_no_password_until_they_set_one(
    session: Session, now: datetime
) -> None:
    admin = make_user(session, role="admin")
    invited = identity.invite_user(
        session, "new@firm.example", "marketing", name="New", by=admin, now=now
    )
    assert invited.password_hash is None and invited.invited_at == now
    with pytest.raises(identity.SignInRefused):
        identity.authenticate(session, "new@firm.example", "", now=now)
    identity.set_password(session, invited.id, PASSWORD, expected_epoch=invited.session_epoch)
    assert identity.authenticate(session, "new@firm.example", PASSWORD, now=now).id == invited.id


def test_an_invitation_link_works_once(session: Session, now: datetime) -> None:
    user = make_user(session, password=None)
    epoch = user.session_epoch
    identity.set_password(session, user.id, PASSWORD, expected_epoch=epoch)
    with pytest.raises(IdentityError, match="no longer valid"):
        identity.set_password(session, user.id, "another good password", expected_epoch=epoch)


def test_wrong_email_and_wrong_password_get_the_same_answer(
    session: Session, now: datetime
) -> None:
    make_user(session, email="ana@firm.example")
    with pytest.raises(identity.SignInRefused) as unknown:
        identity.authenticate(session, "nobody@firm.example", PASSWORD, now=now)
    with pytest.raises(identity.SignInRefused) as wrong:
        identity.authenticate(session, "ana@firm.example", "not the password", now=now)
    assert str(unknown.value) == str(wrong.value)


def test_a_deactivated_user_cannot_sign_in(session: Session, now: datetime) -> None:
    make_user(session, email="ana@firm.example", active=False)
    with pytest.raises(identity.SignInRefused, match="deactivated"):
        identity.authenticate(session, "ana@firm.example", PASSWORD, now=now)


def test_deactivation_ends_sessions_and_reactivation_restores_access(
    session: Session, now: datetime
) -> None:
    admin = make_user(session, role="admin")
    user = make_user(session)
    epoch = user.session_epoch
    identity.deactivate_user(session, user.id, by=admin, now=now)
    assert not user.active and user.session_epoch == epoch + 1 and user.deactivated_at == now
    identity.reactivate_user(session, user.id, by=admin)
    assert user.active and user.deactivated_at is None


def test_signing_out_moves_the_user_s_session_epoch_so_every_copy_of_a_cookie_ends(
    session: Session,
) -> None:
    ana = make_user(session, email="ana@firm.example")
    bea = make_user(session, email="bea@firm.example")
    identity.sign_out(session, ana.id)
    session.expire_all()  # read back what was committed
    assert session.get(User, ana.id).session_epoch == 1
    assert session.get(User, bea.id).session_epoch == 0


def test_an_admin_cannot_deactivate_themselves(session: Session, now: datetime) -> None:
    admin = make_user(session, role="admin")
    make_user(session, role="admin")
    with pytest.raises(IdentityError, match="yourself"):
        identity.deactivate_user(session, admin.id, by=admin, now=now)


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(
    session: Session, now: datetime
) -> None:
    last_admin = make_user(session, role="admin")
    other_admin = make_user(session, role="admin", active=False)
    with pytest.raises(IdentityError, match="last active administrator"):
        identity.deactivate_user(session, last_admin.id, by=other_admin, now=now)
    with pytest.raises(IdentityError, match="last active administrator"):
        identity.change_role(session, last_admin.id, "marketing", by=other_admin)


def test_a_role_change_applies_to_open_sessions(session: Session) -> None:
    admin = make_user(session, role="admin")
    user = make_user(session, role="marketing")
    identity.change_role(session, user.id, "account_manager", by=admin)
    assert user.role == "account_manager" and user.session_epoch == 1


def test_first_run_creates_one_admin_with_a_generated_password_then_keeps_data(
    app: Flask, session: Session, now: datetime
) -> None:
    with app.app_context():  # the demo's client voice renders e-mails
        first = loader.first_run(session, "owner@firm.example", now=now)
    assert first.admin_password and len(first.admin_password) >= 16
    assert identity.authenticate(session, "owner@firm.example", first.admin_password, now=now)
    assert first.demo is not None and first.demo.created["staff"] == len(loader.DEMO_STAFF)
    again = loader.first_run(session, "owner@firm.example", now=now)
    assert again.admin_password is None and again.demo is None
    assert again.admin_email == "owner@firm.example"
