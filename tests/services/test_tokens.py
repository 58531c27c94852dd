"""API tokens: shown once, stored as a hash, refused when revoked, expired or of a deactivated user."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from advocacy.domain.disclosure import Audience
from advocacy.models import ApiToken
from advocacy.services.access import tokens
from tests.factories import make_user


def test_a_token_secret_is_stored_only_as_its_sha256_hash(session: Session, now) -> None:
    user = make_user(session)
    issued = tokens.create_token(session, user.id, ["read"], now=now, name="BI export")
    stored = session.exec(select(ApiToken)).one()
    assert issued.secret.startswith("adv_") and len(issued.secret) >= 4 + 43
    assert issued.secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert stored.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret.startswith(stored.prefix) and len(stored.prefix) == 12
    assert stored.scopes == "read" and stored.name == "BI export"


def test_two_tokens_never_share_a_secret_or_a_prefix(session: Session, now) -> None:
    user = make_user(session)
    issued = [tokens.create_token(session, user.id, ["read"], now=now) for _ in range(20)]
    assert len({i.secret for i in issued}) == 20
    assert len({i.token.prefix for i in issued}) == 20


def test_a_valid_token_authenticates_its_user_with_its_scopes(session: Session, now) -> None:
    user = make_user(session)
    secret = tokens.create_token(session, user.id, ["read", "write"], now=now).secret
    bearer = tokens.authenticate(session, secret, now=now)
    assert bearer is not None and bearer.user.id == user.id
    assert bearer.allows("read") and bearer.allows("write")


def test_a_read_token_may_not_write_and_write_includes_read(session: Session, now) -> None:
    user = make_user(session)
    reader = tokens.authenticate(
        session, tokens.create_token(session, user.id, ["read"], now=now).secret, now=now
    )
    writer = tokens.authenticate(
        session, tokens.create_token(session, user.id, ["write"], now=now).secret, now=now
    )
    assert reader is not None and not reader.allows("write")
    assert writer is not None and writer.allows("read")


@pytest.mark.parametrize(
    "secret", ["", "adv_", "adv_unknown", "nope", "adv_" + "a" * 500, "adv_\x00x", "adv_é"]
)
def test_an_unknown_or_malformed_secret_is_refused(session: Session, now, secret: str) -> None:
    make_user(session)
    assert tokens.authenticate(session, secret, now=now) is None


def test_a_revoked_token_is_refused(session: Session, now) -> None:
    user = make_user(session)
    issued = tokens.create_token(session, user.id, ["read"], now=now)
    tokens.revoke_token(session, issued.token.prefix, now=now)
    assert tokens.authenticate(session, issued.secret, now=now) is None


def test_a_token_is_refused_from_its_expiry_on(session: Session, now) -> None:
    user = make_user(session)
    secret = tokens.create_token(session, user.id, ["read"], now=now, expires_days=30).secret
    assert tokens.authenticate(session, secret, now=now + timedelta(days=29, hours=23))
    assert tokens.authenticate(session, secret, now=now + timedelta(days=30)) is None


def test_the_token_of_a_deactivated_user_is_refused(session: Session, now) -> None:
    user = make_user(session)
    secret = tokens.create_token(session, user.id, ["read"], now=now).secret
    user.active = False
    session.add(user)
    session.commit()
    assert tokens.authenticate(session, secret, now=now) is None


def test_last_use_is_noted_at_most_once_a_minute(session: Session, now) -> None:
    user = make_user(session)
    issued = tokens.create_token(session, user.id, ["read"], now=now)
    tokens.authenticate(session, issued.secret, now=now)
    tokens.authenticate(session, issued.secret, now=now + timedelta(seconds=30))
    session.refresh(issued.token)
    assert issued.token.last_used_at == now
    tokens.authenticate(session, issued.secret, now=now + timedelta(seconds=61))
    session.refresh(issued.token)
    assert issued.token.last_used_at == now + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("scopes", "options"),
    [
        ([], {}),
        (["admin"], {}),
        (["read"], {"expires_days": 0}),
        (["read"], {"expires_days": 3651}),
        (["read"], {"name": "x" * 101}),
        (["read"], {"name": "bad\x00name"}),
    ],
)
def test_a_token_request_outside_the_rules_is_refused(
    session: Session, now, scopes: list[str], options: dict
) -> None:
    user = make_user(session)
    with pytest.raises(tokens.TokenError):
        tokens.create_token(session, user.id, scopes, now=now, **options)
    assert session.exec(select(ApiToken)).first() is None


def test_a_deactivated_user_cannot_be_given_a_token(session: Session, now) -> None:
    user = make_user(session, active=False)
    with pytest.raises(tokens.TokenError):
        tokens.create_token(session, user.id, ["read"], now=now)


def test_revoking_an_unknown_prefix_is_refused(session: Session, now) -> None:
    with pytest.raises(tokens.TokenError):
        tokens.revoke_token(session, "adv_nothing", now=now)


def test_tokens_are_listed_newest_first_and_per_user(session: Session, now) -> None:
    alice, bob = make_user(session), make_user(session)
    first = tokens.create_token(session, alice.id, ["read"], now=now).token
    second = tokens.create_token(session, bob.id, ["read"], now=now + timedelta(hours=1)).token
    assert [t.id for t, _u in tokens.list_tokens(session)] == [second.id, first.id]
    assert [t.id for t, _u in tokens.list_tokens(session, user_id=alice.id)] == [first.id]


def test_a_publish_token_serves_the_public_audience_and_reaches_only_the_library(
    session: Session, now
) -> None:
    user = make_user(session, role="marketing")
    website = tokens.authenticate(
        session, tokens.create_token(session, user.id, ["publish"], now=now).secret, now=now
    )
    reader = tokens.authenticate(
        session, tokens.create_token(session, user.id, ["read"], now=now).secret, now=now
    )
    assert website is not None and reader is not None
    assert website.audience is Audience.API_PUBLIC and reader.audience is Audience.API_INTERNAL
    assert website.allows("publish") and not website.allows("read")
    assert not website.allows("write")
    assert reader.allows("publish")


def test_a_publish_token_takes_no_other_scope(session: Session, now) -> None:
    user = make_user(session, role="marketing")
    with pytest.raises(tokens.TokenError, match="publish"):
        tokens.create_token(session, user.id, ["publish", "read"], now=now)
    assert session.exec(select(ApiToken)).first() is None
