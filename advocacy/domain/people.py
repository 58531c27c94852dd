"""People at accounts: seniority, buying-group roles, departures, and coverage of the buying group.

A purchase is made by a group (docs/domain.md): an account is covered well only when the
relationship reaches the people who matter, so gaps are computed, not guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_


class Seniority(StrEnum):
    BOARD = "board"
    C_LEVEL = "c_level"
    VP_DIRECTOR = "vp_director"
    MANAGER = "manager"
    INDIVIDUAL = "individual"


class BuyingRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    SPONSOR = "sponsor"
    USER = "user"
    PROCUREMENT = "procurement"
    COMPLIANCE = "compliance"
    CSR = "csr"
    FINANCE = "finance"
    OTHER = "other"


class ConsentBasis(StrEnum):
    """Why the firm may send a contact client-facing e-mail (none: it may not)."""

    CONSENT = "consent"  # the person opted in
    LEGITIMATE_INTEREST = "legitimate_interest"  # an existing client relationship
    CONTRACT = "contract"  # needed to deliver an engagement


class ContactStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"
    RETIRED = "retired"


# Roles whose absence is a gap only when the account involved them before: not every purchase
# goes through procurement or compliance, but one that did will again.
GATEKEEPER_ROLES: Final = frozenset({BuyingRole.PROCUREMENT, BuyingRole.COMPLIANCE})


class PeopleError(RuleError):
    """A change to a contact that the rules refuse; the message says why."""


@dataclass(frozen=True)
class ContactFacts:
    id: int
    status: ContactStatus
    roles: frozenset[BuyingRole]
    influence: int = 3


class GapKind(StrEnum):
    NO_DECISION_MAKER = "no_decision_maker"
    SINGLE_THREADED = "single_threaded"
    GATEKEEPER_MISSING = "gatekeeper_missing"


@dataclass(frozen=True)
class CoverageGap:
    kind: GapKind
    role: BuyingRole | None = None

    @property
    def message(self) -> str:
        if self.kind is GapKind.NO_DECISION_MAKER:
            return N_("No active decision maker is known at this account.")
        if self.kind is GapKind.SINGLE_THREADED:
            return N_("The relationship rests on a single contact.")
        return N_("Nobody in this role any more, though they took part before.")


@dataclass(frozen=True)
class GroupCoverage:
    """What the coverage rule reads of an account's buying group, in counts and role sets."""

    contacts: int  # past and present
    active: int
    active_roles: frozenset[BuyingRole]
    roles_seen: frozenset[BuyingRole]  # played by anyone, ever


def gaps_in_coverage(group: GroupCoverage) -> list[CoverageGap]:
    """Gaps in an account's buying-group coverage, from the summary of its contacts."""
    gaps: list[CoverageGap] = []
    if not group.contacts:
        return gaps
    if BuyingRole.DECISION_MAKER not in group.active_roles:
        gaps.append(CoverageGap(GapKind.NO_DECISION_MAKER, BuyingRole.DECISION_MAKER))
    if group.active <= 1:
        gaps.append(CoverageGap(GapKind.SINGLE_THREADED))
    for role in sorted(GATEKEEPER_ROLES & group.roles_seen):
        if role not in group.active_roles:
            gaps.append(CoverageGap(GapKind.GATEKEEPER_MISSING, role))
    return gaps


def coverage_gaps(
    contacts: Iterable[ContactFacts], roles_involved_before: Iterable[BuyingRole] = ()
) -> list[CoverageGap]:
    """Gaps in an account's buying-group coverage, from its contacts (past and present)."""
    contacts = list(contacts)
    active = [c for c in contacts if c.status is ContactStatus.ACTIVE]
    return gaps_in_coverage(
        GroupCoverage(
            contacts=len(contacts),
            active=len(active),
            active_roles=frozenset(role for c in active for role in c.roles),
            roles_seen=frozenset(roles_involved_before) | {r for c in contacts for r in c.roles},
        )
    )


@dataclass(frozen=True)
class Departure:
    """A contact leaving their position: to another employer, or into retirement."""

    status: ContactStatus
    on: date
    new_employer: str | None = None


def plan_departure(
    current: ContactStatus, *, retired: bool, on: date, new_employer: str | None, today: date
) -> Departure:
    """Validate a departure and say what it is; raise PeopleError when it cannot happen."""
    if current is not ContactStatus.ACTIVE:
        raise PeopleError(N_("This contact has already left the account."))
    if on > today:
        raise PeopleError(N_("A departure date cannot be in the future."))
    employer = (new_employer or "").strip() or None
    if retired and employer:
        raise PeopleError(N_("A retired person has no new employer; record a move instead."))
    status = ContactStatus.RETIRED if retired else ContactStatus.LEFT
    return Departure(status, on, employer)


def parse_roles(values: Iterable[str]) -> frozenset[BuyingRole]:
    """Buying-group roles from text; raise PeopleError naming an unknown one."""
    roles = set()
    for value in values:
        value = value.strip().lower().replace(" ", "_").replace("-", "_")
        if not value:
            continue
        try:
            roles.add(BuyingRole(value))
        except ValueError:
            raise PeopleError(N_("Unknown buying-group role: %(value)s"), value=value) from None
    return frozenset(roles)
