"""`sign_in_with_oidc` on a real database session: link, sign in, provision, refuse."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from advocacy.domain.identity import OidcOutcome
from advocacy.models import OidcIdentity, User
from advocacy.repository import staff
from advocacy.services.access import identity
from advocacy.services.access.identity import OidcClaims, OidcRefused
from tests.factories import make_user

ISSUER = "https://idp.firm.example"
OTHER_ISSUER = "https://login.partner.example"


def claims(
    subject: str = "sub-ana",
    email: str = "ana@firm.example",
    *,
    verified: bool = True,
    name: str = "Ana Lima",
    issuer: str = ISSUER,
) -> OidcClaims:
    return OidcClaims(
        issuer=issuer, subject=subject, email=email, email_verified=verified, name=name
    )


def sign_in(
    session: Session,
    oidc_claims: OidcClaims,
    now: datetime,
    *,
    domains: tuple[str, ...] = (),
    role: str = "account_manager",
) -> User:
    return identity.sign_in_with_oidc(
        session,
        oidc_claims,
        auto_provision_domains=domains,
        auto_provision_role=role,
        now=now,
    )


def identities(session: Session) -> list[OidcIdentity]:
    return list(session.exec(select(OidcIdentity).order_by(OidcIdentity.id)))


def users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.id)))


def test_an_invited_user_is_linked_by_verified_email(session: Session, now: datetime) -> None:
    ana = make_user(session, email="ana@firm.example", password=None)

    user = sign_in(session, claims(), now)

    assert user.id == ana.id
    assert user.last_sign_in_at == now
    assert user.name == "Ana Lima"  # an invited user without a name takes the provider's
    [link] = identities(session)
    assert (link.user_id, link.issuer, link.subject, link.email) == (
        ana.id,
        ISSUER,
        "sub-ana",
        "ana@firm.example",
    )
    assert link.linked_at == now
    assert link.last_sign_in_at == now


def test_linking_keeps_the_name_an_administrator_gave(session: Session, now: datetime) -> None:
    make_user(session, email="ana@firm.example", password=None, name="Ana L.")
    assert sign_in(session, claims(name="Someone Else"), now).name == "Ana L."


def test_a_later_sign_in_is_matched_on_issuer_and_subject_after_the_email_changes(
    session: Session, now: datetime
) -> None:
    ana = make_user(session, email="ana@firm.example", password=None)
    sign_in(session, claims(), now)
    later = now + timedelta(days=3)

    user = sign_in(session, claims(email="ana.lima@elsewhere.example", verified=False), later)

    assert user.id == ana.id
    assert user.email == "ana@firm.example"
    assert user.last_sign_in_at == later
    [link] = identities(session)
    assert link.last_sign_in_at == later
    assert link.linked_at == now


def test_the_same_subject_from_another_issuer_is_another_identity(
    session: Session, now: datetime
) -> None:
    ana = make_user(session, email="ana@firm.example", password=None)
    sign_in(session, claims(), now)

    user = sign_in(session, claims(issuer=OTHER_ISSUER), now)

    assert user.id == ana.id
    assert {(link.issuer, link.user_id) for link in identities(session)} == {
        (ISSUER, ana.id),
        (OTHER_ISSUER, ana.id),
    }


def test_a_person_from_an_auto_provisioned_domain_gets_a_user_with_the_configured_role(
    session: Session, now: datetime
) -> None:
    user = sign_in(
        session,
        claims("sub-zoe", "zoe@firm.example", name="Zoe"),
        now,
        domains=("firm.example",),
        role="marketing",
    )

    assert (user.email, user.role, user.name, user.active) == (
        "zoe@firm.example",
        "marketing",
        "Zoe",
        True,
    )
    assert user.password_hash is None
    assert user.created_at == now
    [link] = identities(session)
    assert (link.user_id, link.subject) == (user.id, "sub-zoe")


def _deactivated_after_linking(session: Session, now: datetime) -> None:
    ana = make_user(session, email="ana@firm.example", password=None)
    sign_in(session, claims(), now)
    ana.active = False
    session.add(ana)
    session.commit()


def _linked_to_another_subject(session: Session, now: datetime) -> None:
    make_user(session, email="ana@firm.example", password=None)
    sign_in(session, claims(subject="sub-ana-old"), now)


REFUSALS: list[Any] = [
    pytest.param(
        lambda session, now: None,
        claims("sub-bob", "bob@firm.example"),
        ("other.example",),
        OidcOutcome.REFUSE_UNKNOWN,
        "You have no account here",
        id="unknown-person",
    ),
    pytest.param(
        lambda session, now: make_user(session, email="ana@firm.example", password=None),
        claims(verified=False),
        (),
        OidcOutcome.REFUSE_UNVERIFIED,
        "has not verified your e-mail address",
        id="unverified-email",
    ),
    pytest.param(
        lambda session, now: None,
        claims("sub-zoe", "zoe@firm.example", verified=False),
        ("firm.example",),
        OidcOutcome.REFUSE_UNVERIFIED,
        "has not verified",
        id="unverified-email-in-a-provisioned-domain",
    ),
    pytest.param(
        lambda session, now: make_user(
            session, email="ana@firm.example", password=None, active=False
        ),
        claims(),
        ("firm.example",),
        OidcOutcome.REFUSE_INACTIVE,
        "deactivated",
        id="deactivated-invited-user",
    ),
    pytest.param(
        _deactivated_after_linking,
        claims(),
        (),
        OidcOutcome.REFUSE_INACTIVE,
        "deactivated",
        id="deactivated-linked-user",
    ),
    pytest.param(
        _linked_to_another_subject,
        claims(subject="sub-someone-else"),
        (),
        OidcOutcome.REFUSE_LINKED_ELSEWHERE,
        "already linked to another identity",
        id="email-of-a-user-linked-to-another-subject",
    ),
    pytest.param(
        lambda session, now: None,
        claims(subject=""),
        ("firm.example",),
        OidcOutcome.REFUSE_UNKNOWN,
        "did not say who you are",
        id="no-subject",
    ),
    pytest.param(
        lambda session, now: None,
        claims(subject="s" * 256),
        ("firm.example",),
        OidcOutcome.REFUSE_UNKNOWN,
        "did not say who you are",
        id="subject-longer-than-oidc-allows",
    ),
    pytest.param(
        lambda session, now: None,
        claims(email="a" * 250 + "@firm.example"),
        ("firm.example",),
        OidcOutcome.REFUSE_UNKNOWN,
        "You have no account here",
        id="email-longer-than-an-email-can-be",
    ),
]


@pytest.mark.parametrize(("given", "oidc_claims", "domains", "outcome", "message"), REFUSALS)
def test_a_refused_sign_in_says_why_and_writes_nothing(
    session: Session,
    now: datetime,
    given: Any,
    oidc_claims: OidcClaims,
    domains: tuple[str, ...],
    outcome: OidcOutcome,
    message: str,
) -> None:
    given(session, now)
    before = [(user.id, user.email, user.active, user.last_sign_in_at) for user in users(session)]
    links_before = [(link.id, link.last_sign_in_at) for link in identities(session)]

    with pytest.raises(OidcRefused, match=message) as refused:
        sign_in(session, oidc_claims, now + timedelta(hours=1), domains=domains)

    assert refused.value.outcome is outcome
    session.rollback()
    session.expire_all()
    after = [(user.id, user.email, user.active, user.last_sign_in_at) for user in users(session)]
    assert after == before
    assert [(link.id, link.last_sign_in_at) for link in identities(session)] == links_before


def stale_once(read: Callable[..., Any], stale: Any) -> Callable[..., Any]:
    """`read` that answers `stale` the first time, as a read made before another commit would."""
    calls = itertools.count()

    def first_stale(*args: Any) -> Any:
        return stale if next(calls) == 0 else read(*args)

    return first_stale


def test_a_first_sign_in_that_loses_a_race_to_another_tab_signs_in_instead_of_failing(
    session: Session, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = make_user(session, email="ana@firm.example", password=None)
    sign_in(session, claims(), now)  # the other tab, which committed first
    # This request read the database before that commit: no identity, nobody linked yet.
    monkeypatch.setattr(staff, "identity_for", stale_once(staff.identity_for, None))
    monkeypatch.setattr(
        staff,
        "user_has_identity_from",
        stale_once(staff.user_has_identity_from, False),
    )

    user = sign_in(session, claims(), now + timedelta(seconds=1))

    assert user.id == ana.id
    assert len(identities(session)) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"iss": ISSUER, "sub": "s1", "email": " Ana@Firm.Example ", "email_verified": True},
            claims("s1", "ana@firm.example", name=""),
        ),
        (
            {"iss": ISSUER, "sub": "s1", "email": "ana@firm.example", "email_verified": "true"},
            claims("s1", "ana@firm.example", name=""),
        ),
        (
            {"iss": ISSUER, "sub": "s1", "email": "ana@firm.example", "email_verified": "false"},
            claims("s1", "ana@firm.example", verified=False, name=""),
        ),
        (
            {"iss": ISSUER, "sub": "s1", "name": "Ana"},
            claims("s1", "", verified=False, name="Ana"),
        ),
    ],
)
def test_claims_are_read_leniently_but_an_email_is_verified_only_when_the_provider_says_so(
    raw: dict[str, Any], expected: OidcClaims
) -> None:
    assert OidcClaims.from_mapping(raw) == expected
