"""The consent policy matrix: every permission level against every surface."""

from __future__ import annotations

import pytest

from advocacy.domain.disclosure import (
    NOTHING,
    Audience,
    Author,
    Disclosure,
    Naming,
    Use,
    attribution,
    disclose,
)

N, A, X = Naming.NAMED, Naming.ANONYMISED, Naming.NOTHING
INTERNAL_ONLY = {Use.INTERNAL}
ANON = {Use.ANONYMISED_PUBLIC}
NAMED = {Use.NAMED_PUBLIC}
NAMED_LOGO = {Use.NAMED_PUBLIC, Use.LOGO}
ANON_LOGO = {Use.ANONYMISED_PUBLIC, Use.LOGO}

# (uses, audience) -> naming for a published testimonial
MATRIX = [
    (INTERNAL_ONLY, Audience.STAFF, N),
    (INTERNAL_ONLY, Audience.API_INTERNAL, N),
    (INTERNAL_ONLY, Audience.API_PUBLIC, X),
    (INTERNAL_ONLY, Audience.EXPORT, X),
    (INTERNAL_ONLY, Audience.WALL, X),
    (ANON, Audience.STAFF, N),
    (ANON, Audience.API_PUBLIC, A),
    (ANON, Audience.EXPORT, A),
    (ANON, Audience.WALL, A),
    (NAMED, Audience.STAFF, N),
    (NAMED, Audience.API_PUBLIC, N),
    (NAMED, Audience.EXPORT, N),
    (NAMED, Audience.WALL, N),
    (set(), Audience.STAFF, X),
    (set(), Audience.WALL, X),
    ({Use.REFERENCE_CALLS}, Audience.STAFF, N),
    ({Use.REFERENCE_CALLS}, Audience.WALL, X),
    ({Use.CASE_STUDY}, Audience.EXPORT, X),
]


@pytest.mark.parametrize(("uses", "audience", "naming"), MATRIX)
def test_each_permission_level_on_each_surface(uses, audience, naming):
    assert disclose("published", uses, audience).naming is naming


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize(
    "status", ["awaiting_client", "submitted", "awaiting_reapproval", "withdrawn", "expired"]
)
def test_nothing_is_shown_before_approval_or_after_withdrawal(status, audience):
    assert disclose(status, NAMED_LOGO | {Use.INTERNAL}, audience) == NOTHING


def test_the_wall_shows_only_published_testimonials_while_exports_take_approved_ones():
    assert disclose("approved", NAMED, Audience.WALL) == NOTHING
    assert disclose("approved", NAMED, Audience.EXPORT).naming is N


def test_the_websites_api_token_takes_only_published_testimonials_like_the_wall():
    assert disclose("approved", NAMED, Audience.API_PUBLIC) == NOTHING
    assert disclose("published", NAMED, Audience.API_PUBLIC).naming is N
    assert disclose("approved", INTERNAL_ONLY, Audience.API_INTERNAL).naming is N


@pytest.mark.parametrize("audience", [Audience.API_PUBLIC, Audience.EXPORT, Audience.WALL])
def test_a_logo_goes_only_beside_a_named_quote_outside(audience):
    assert disclose("published", NAMED_LOGO, audience).logo is True
    assert disclose("published", ANON_LOGO, audience).logo is False
    assert disclose("published", NAMED, audience).logo is False


@pytest.mark.parametrize("audience", list(Audience))
def test_reference_contacts_never_leave_the_firm(audience):
    shown = disclose("published", NAMED | {Use.REFERENCE_CALLS}, audience).reference_contact
    assert shown is (audience in {Audience.STAFF, Audience.API_INTERNAL})


def test_case_study_candidates_are_flagged_where_the_quote_may_be_shown():
    assert disclose("published", {Use.CASE_STUDY, Use.INTERNAL}, Audience.STAFF).case_study
    assert disclose("published", {Use.CASE_STUDY, Use.NAMED_PUBLIC}, Audience.EXPORT).case_study
    assert not disclose("published", {Use.CASE_STUDY}, Audience.EXPORT).case_study


AUTHOR = Author(name="Ann Lee", title="CFO", company="Globex", industry="industrial group")


@pytest.mark.parametrize(
    ("disclosure", "line"),
    [
        (Disclosure(N), "Ann Lee, CFO, Globex"),
        (Disclosure(A), "CFO, industrial group"),
        (NOTHING, ""),
    ],
)
def test_the_attribution_says_only_what_the_client_allowed(disclosure, line):
    assert attribution(disclosure, AUTHOR) == line


def test_an_anonymised_attribution_never_names_the_person_or_the_company():
    line = attribution(Disclosure(A), AUTHOR)
    assert "Ann" not in line and "Globex" not in line
