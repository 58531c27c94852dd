"""People rules: coverage of the buying group, departures, roles."""

from __future__ import annotations

from datetime import date

import pytest

from advocacy.domain.people import (
    BuyingRole,
    ContactFacts,
    ContactStatus,
    GapKind,
    PeopleError,
    coverage_gaps,
    parse_roles,
    plan_departure,
)

A, L = ContactStatus.ACTIVE, ContactStatus.LEFT
DM, SP, PR = BuyingRole.DECISION_MAKER, BuyingRole.SPONSOR, BuyingRole.PROCUREMENT
TODAY = date(2026, 11, 23)


def _c(i: int, status: ContactStatus, *roles: BuyingRole) -> ContactFacts:
    return ContactFacts(i, status, frozenset(roles))


@pytest.mark.parametrize(
    ("contacts", "before", "expected"),
    [
        ([], [], []),
        ([_c(1, A, DM), _c(2, A, SP)], [], []),
        ([_c(1, A, SP), _c(2, A)], [], [GapKind.NO_DECISION_MAKER]),
        ([_c(1, A, DM)], [], [GapKind.SINGLE_THREADED]),
        ([_c(1, L, DM), _c(2, A, SP)], [], [GapKind.NO_DECISION_MAKER, GapKind.SINGLE_THREADED]),
        ([_c(1, A, DM), _c(2, A, SP), _c(3, L, PR)], [], [GapKind.GATEKEEPER_MISSING]),
        ([_c(1, A, DM), _c(2, A, SP)], [BuyingRole.COMPLIANCE], [GapKind.GATEKEEPER_MISSING]),
        ([_c(1, A, DM), _c(2, A, SP, PR)], [PR], []),
    ],
)
def test_coverage_gaps_are_flagged(
    contacts: list[ContactFacts], before: list[BuyingRole], expected: list[GapKind]
) -> None:
    assert [gap.kind for gap in coverage_gaps(contacts, before)] == expected


def test_every_gap_explains_itself() -> None:
    gaps = coverage_gaps([_c(1, L, PR), _c(2, A)], [])
    assert all(gap.message for gap in gaps)


def test_a_contact_who_left_for_another_company_keeps_the_new_employer() -> None:
    departure = plan_departure(A, retired=False, on=TODAY, new_employer=" Acme ", today=TODAY)
    assert (departure.status, departure.new_employer) == (L, "Acme")


def test_a_retirement_has_no_new_employer() -> None:
    with pytest.raises(PeopleError):
        plan_departure(A, retired=True, on=TODAY, new_employer="Acme", today=TODAY)
    assert plan_departure(A, retired=True, on=TODAY, new_employer="", today=TODAY).status is (
        ContactStatus.RETIRED
    )


@pytest.mark.parametrize(
    ("status", "on"), [(L, TODAY), (ContactStatus.RETIRED, TODAY), (A, date(2027, 1, 1))]
)
def test_a_departure_happens_once_and_not_in_the_future(status: ContactStatus, on: date) -> None:
    with pytest.raises(PeopleError):
        plan_departure(status, retired=False, on=on, new_employer=None, today=TODAY)


def test_roles_are_read_from_loose_text_and_unknown_ones_are_named() -> None:
    assert parse_roles(["Decision maker", "procurement", " "]) == {DM, PR}
    with pytest.raises(PeopleError, match="astrologer"):
        parse_roles(["astrologer"])
