"""What an OpenID Connect sign-in means for our users: `decide_oidc_sign_in` as a table."""

from __future__ import annotations

import pytest

from advocacy.domain.identity import MAX_EMAIL_LENGTH, OidcOutcome, StaffFacts, decide_oidc_sign_in

ACTIVE = StaffFacts(user_id=1, active=True, has_identity_from_issuer=False)
INACTIVE = StaffFacts(user_id=1, active=False, has_identity_from_issuer=False)
ACTIVE_LINKED_ELSEWHERE = StaffFacts(user_id=2, active=True, has_identity_from_issuer=True)
OTHER_ACTIVE = StaffFacts(user_id=2, active=True, has_identity_from_issuer=False)
FIRM = ("firm.example",)
NOBODY: tuple[str, ...] = ()
LONG_EMAIL = "a" * (MAX_EMAIL_LENGTH - len("@firm.example") + 1) + "@firm.example"


@pytest.mark.parametrize(
    ("linked", "by_email", "email", "verified", "domains", "expected"),
    [
        # Matched on (issuer, subject): the e-mail does not matter any more.
        pytest.param(ACTIVE, None, "ana@firm.example", True, NOBODY, OidcOutcome.SIGN_IN,
                     id="linked-active-signs-in"),
        pytest.param(ACTIVE, None, "new@elsewhere.example", False, NOBODY, OidcOutcome.SIGN_IN,
                     id="linked-signs-in-after-the-email-changed-even-unverified"),
        pytest.param(ACTIVE, OTHER_ACTIVE, "bob@firm.example", True, NOBODY, OidcOutcome.SIGN_IN,
                     id="linked-wins-over-another-user-with-the-new-email"),
        pytest.param(ACTIVE, None, "", False, NOBODY, OidcOutcome.SIGN_IN,
                     id="linked-signs-in-without-any-email"),
        pytest.param(INACTIVE, None, "ana@firm.example", True, FIRM, OidcOutcome.REFUSE_INACTIVE,
                     id="linked-deactivated-is-refused-even-in-a-provisioned-domain"),
        # First sign-in of an invited user: linked by verified e-mail only.
        pytest.param(None, ACTIVE, "ana@firm.example", True, NOBODY, OidcOutcome.LINK,
                     id="invited-verified-links"),
        pytest.param(None, ACTIVE, "ana@firm.example", False, NOBODY,
                     OidcOutcome.REFUSE_UNVERIFIED, id="invited-unverified-is-refused"),
        pytest.param(None, ACTIVE, "ana@firm.example", False, FIRM,
                     OidcOutcome.REFUSE_UNVERIFIED,
                     id="invited-unverified-is-refused-in-a-provisioned-domain"),
        pytest.param(None, INACTIVE, "ana@firm.example", True, FIRM, OidcOutcome.REFUSE_INACTIVE,
                     id="deactivated-by-email-is-refused-not-reprovisioned"),
        pytest.param(None, ACTIVE_LINKED_ELSEWHERE, "ana@firm.example", True, FIRM,
                     OidcOutcome.REFUSE_LINKED_ELSEWHERE,
                     id="email-never-takes-over-a-user-linked-to-another-subject"),
        # Unknown people: refused, unless their verified domain is auto-provisioned.
        pytest.param(None, None, "bob@firm.example", True, NOBODY, OidcOutcome.REFUSE_UNKNOWN,
                     id="unknown-is-refused-without-provisioning"),
        pytest.param(None, None, "bob@firm.example", True, FIRM, OidcOutcome.PROVISION,
                     id="unknown-verified-in-a-provisioned-domain-is-provisioned"),
        pytest.param(None, None, "bob@firm.example", False, FIRM, OidcOutcome.REFUSE_UNVERIFIED,
                     id="unknown-unverified-in-a-provisioned-domain-is-refused"),
        pytest.param(None, None, "bob@evil.firm.example", True, FIRM,
                     OidcOutcome.REFUSE_UNKNOWN, id="a-subdomain-is-not-the-provisioned-domain"),
        pytest.param(None, None, "bob@firm.example.evil", True, FIRM,
                     OidcOutcome.REFUSE_UNKNOWN, id="a-suffixed-domain-is-not-the-domain"),
        pytest.param(None, None, "bob@other.example", True, FIRM, OidcOutcome.REFUSE_UNKNOWN,
                     id="another-domain-is-refused"),
        # Missing or malformed e-mail: nobody to match.
        pytest.param(None, None, "", True, FIRM, OidcOutcome.REFUSE_UNKNOWN, id="no-email"),
        pytest.param(None, None, "firm.example", True, FIRM, OidcOutcome.REFUSE_UNKNOWN,
                     id="not-an-email"),
        pytest.param(None, None, "a@b@firm.example", True, FIRM, OidcOutcome.REFUSE_UNKNOWN,
                     id="two-at-signs"),
        pytest.param(None, None, LONG_EMAIL, True, FIRM, OidcOutcome.REFUSE_UNKNOWN,
                     id="longer-than-an-email-can-be"),
    ],
)  # fmt: skip
def test_oidc_sign_in_matches_on_subject_then_verified_email_then_provisioned_domain(
    linked: StaffFacts | None,
    by_email: StaffFacts | None,
    email: str,
    verified: bool,
    domains: tuple[str, ...],
    expected: OidcOutcome,
) -> None:
    outcome = decide_oidc_sign_in(
        linked=linked,
        by_email=by_email,
        email=email,
        email_verified=verified,
        auto_provision_domains=domains,
    )
    assert outcome is expected


def test_an_email_of_the_maximum_length_can_still_be_provisioned() -> None:
    email = "a" * (MAX_EMAIL_LENGTH - len("@firm.example")) + "@firm.example"
    assert len(email) == MAX_EMAIL_LENGTH
    outcome = decide_oidc_sign_in(
        linked=None, by_email=None, email=email, email_verified=True, auto_provision_domains=FIRM
    )
    assert outcome is OidcOutcome.PROVISION
