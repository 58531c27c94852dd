"""The demo firm's people: stakeholders at each account, and those who move, retire or leave.

Part of the demo generator (advocacy.demo.firm): pure, driven by one seeded random source.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from advocacy.demo import vocabulary
from advocacy.demo.timeline import AccountTimeline
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.people import BuyingRole, ContactStatus, Seniority

Row = dict[str, object]
HORIZON_DAYS: Final = 6 * 365  # the demo's history: six years up to today
MOVER_SHARE: Final = 0.05  # contacts who leave for another account (champions who move)
RETIRED_SHARE: Final = 0.03
LEFT_SHARE: Final = 0.02  # left, new employer unknown
# Roles handed out in this order as an account's contacts are made (then users again).
_ROLE_ORDER: Final = (
    BuyingRole.DECISION_MAKER,
    BuyingRole.SPONSOR,
    BuyingRole.USER,
    BuyingRole.FINANCE,
    BuyingRole.PROCUREMENT,
    BuyingRole.USER,
    BuyingRole.COMPLIANCE,
    BuyingRole.CSR,
    BuyingRole.USER,
    BuyingRole.OTHER,
)


def ascii_slug(text: str, joiner: str = "-") -> str:
    """Lower-case ASCII letters and digits joined by `joiner`: for e-mail addresses and domains."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = "".join(ch if ch.isalnum() else " " for ch in plain.replace("'", "")).split()
    return joiner.join(parts)


@dataclass
class ContactDraft:
    id: int
    person_id: int
    name: str
    seniority: Seniority
    influence: int
    roles: frozenset[BuyingRole]
    row: Row
    person_row: Row
    since: float  # day on the firm's timeline
    until: float = float(HORIZON_DAYS)


@dataclass
class AccountDraft:
    id: int
    name: str
    domain: str
    stage: Stage
    camp: Camp
    owner_id: int
    start: float  # day the account was created on the firm's timeline
    country: tuple[str, tuple[str, ...], str, str, str, int]
    home_line: int  # index into the catalogue: what the client believes we do
    industry: int
    row: Row
    timeline: AccountTimeline | None = None
    contacts: list[ContactDraft] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)


class DemoDraft:
    """Ids and calendar shared by the demo's generators (days count from the horizon's start)."""

    def __init__(self, *, seed: int, now: datetime, first_ids: dict[str, int]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.now = now
        self.next_id = first_ids
        self.origin = now - timedelta(days=HORIZON_DAYS)

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _at(self, day: float) -> datetime:
        return self.origin + timedelta(days=min(day, HORIZON_DAYS))

    def _on(self, day: float) -> date:
        return (self.origin + timedelta(days=day)).date()

    def _pick(self, cum: list[int]) -> int:
        return bisect(cum, self.rng.random() * cum[-1])


class PeopleDraft(DemoDraft):
    """Contacts of demo accounts, and their departures with the signals they raise."""

    contacts_per_account: float  # set by the firm's plan

    def _language(self, account: AccountDraft) -> str:
        language = account.country[3]
        if account.country[0] in {"BE", "CH", "CA"} and self.rng.random() < 0.4:
            return "en" if language == "fr" else "fr"
        return language

    def _phone(self, country: str) -> str:
        # Ranges set aside for fiction (Ofcom's 01632 960xxx, North America's 555-01xx).
        if country == "GB":
            return f"+44 1632 960{self.rng.randrange(1000):03d}"
        if country in {"US", "CA"}:
            return f"+1 202 555 01{self.rng.randrange(100):02d}"
        return ""

    def _email(self, account: AccountDraft, first: str, last: str) -> str:
        local = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}"
        email, n = f"{local}@{account.domain}", 1
        while email in account.emails:
            n += 1
            email = f"{local}{n}@{account.domain}"
        account.emails.add(email)
        return email

    def _new_contact(
        self,
        account: AccountDraft,
        roles: frozenset[BuyingRole],
        rows: dict[str, list[Row]],
        *,
        since: float,
        person: Row | None = None,
        seniority: Seniority | None = None,
        influence: int | None = None,
    ) -> ContactDraft:
        rng = self.rng
        main = next(iter(sorted(roles)))
        seniorities, titles = vocabulary.ROLE_PROFILES[main]
        seniority = seniority or rng.choice(seniorities)
        if influence is None:
            influence = vocabulary.INFLUENCE_BY_SENIORITY[seniority]
            if rng.random() < 0.3:
                influence = min(5, max(1, influence + rng.choice((-1, 1))))
        if person is None:
            first, last = rng.choice(vocabulary.FIRST_NAMES), rng.choice(vocabulary.LAST_NAMES)
            person_id, full_name = self._id("people"), f"{first} {last}"
            person_row: Row = {
                "id": person_id,
                "full_name": full_name,
                "retired_on": None,
                "created_at": self._at(since),
            }
            rows["people"].append(person_row)
        else:
            person_row = person
            person_id, full_name = int(person_row["id"]), str(person_row["full_name"])  # type: ignore[call-overload]
            first, last = full_name.split(" ", 1)
        contact_id, at = self._id("contacts"), self._at(since)
        client = account.stage is not Stage.PROSPECT
        row: Row = {
            "id": contact_id,
            "person_id": person_id,
            "account_id": account.id,
            "title": rng.choice(titles),
            "phone": self._phone(account.country[0]),
            "language": self._language(account),
            "timezone": account.country[2],
            "consent_basis": "legitimate_interest" if client else "consent",
            "consent_source": "existing client relationship" if client else "event registration",
            "consent_at": at,
            "started_on": None,
            "external_id": None,
            "seniority": seniority.value,
            "influence": influence,
            "status": ContactStatus.ACTIVE.value,
            "email": self._email(account, first, last),
            "ended_on": None,
            "moved_to_contact_id": None,
            "created_at": at,
            "updated_at": at,
        }
        rows["contacts"].append(row)
        for role in sorted(roles):
            rows["contact_roles"].append(
                {"id": self._id("contact_roles"), "contact_id": contact_id, "role": role.value}
            )
        contact = ContactDraft(
            contact_id, person_id, full_name, seniority, influence, roles, row, person_row, since
        )
        account.contacts.append(contact)
        return contact

    def _contacts(self, account: AccountDraft, rows: dict[str, list[Row]]) -> None:
        rng = self.rng
        count = max(2, round(self.contacts_per_account * rng.uniform(0.5, 1.5)))
        order = list(_ROLE_ORDER)
        if rng.random() < 0.1:  # a coverage gap to show: nobody who decides is known
            order[0] = BuyingRole.SPONSOR
        for i in range(count):
            roles = {order[i] if i < len(order) else BuyingRole.USER}
            if rng.random() < 0.12:
                roles.add(rng.choice((BuyingRole.FINANCE, BuyingRole.SPONSOR, BuyingRole.CSR)))
            since = (
                account.start
                if rng.random() < 0.75
                else rng.uniform(account.start, HORIZON_DAYS - 1)
            )
            self._new_contact(account, frozenset(roles), rows, since=since)

    def _signal(
        self, rows: dict[str, list[Row]], kind: str, day: float, message: str, **links: object
    ) -> None:
        resolved = day + self.rng.uniform(30, 240)
        rows["journey_signals"].append(
            {
                "id": self._id("journey_signals"),
                "kind": kind,
                "message": message[:500],
                "created_at": self._at(day),
                # Older signals were dealt with; the recent ones wait on the owners' home pages.
                "resolved_at": self._at(resolved) if resolved < HORIZON_DAYS else None,
                "contact_id": None,
                "related_account_id": None,
                **links,
            }
        )

    def _departures(self, accounts: list[AccountDraft], rows: dict[str, list[Row]]) -> list[Row]:
        """Movers, retirements and departures among the block's contacts; returns new positions."""
        rng = self.rng
        pool = [(a, c) for a in accounts for c in a.contacts]
        if len(accounts) < 2 or not pool:
            return []
        movers = max(1, round(len(pool) * MOVER_SHARE))
        retired = max(1, round(len(pool) * RETIRED_SHARE))
        left = round(len(pool) * LEFT_SHARE)
        # Champions move more often than anyone: weigh by influence.
        ranked = sorted(pool, key=lambda pair: rng.random() * pair[1].influence, reverse=True)
        chosen, rest = ranked[:movers], ranked[movers:]
        rng.shuffle(rest)
        chosen += rest[: retired + left]
        arrival_rows = len(rows["contacts"])
        for n, (account, contact) in enumerate(chosen):
            if n < movers:
                target = rng.choice([a for a in accounts if a is not account])
                day = self._departure_day(max(contact.since, target.start))
                self._move(account, contact, target, day, rows)
            else:
                day = self._departure_day(contact.since)
                status = ContactStatus.RETIRED if n < movers + retired else ContactStatus.LEFT
                self._leave(account, contact, status, day, rows)
        # New positions were appended after the block's contacts; they are written first.
        arrivals = rows["contacts"][arrival_rows:]
        del rows["contacts"][arrival_rows:]
        return arrivals

    def _departure_day(self, since: float) -> float:
        low = min(since + 30, HORIZON_DAYS - 4)
        return self.rng.uniform(low, HORIZON_DAYS - 3)

    def _leave(
        self,
        account: AccountDraft,
        contact: ContactDraft,
        status: ContactStatus,
        day: float,
        rows: dict[str, list[Row]],
    ) -> None:
        contact.until = day
        contact.row.update(status=status.value, ended_on=self._on(day), updated_at=self._at(day))
        if status is ContactStatus.RETIRED:
            contact.person_row["retired_on"] = self._on(day)
        self._signal(
            rows,
            "restaff",
            day,
            f"Re-staff the relationship: who replaces {contact.name}?",
            account_id=account.id,
            contact_id=contact.id,
            owner_id=account.owner_id,
        )

    def _move(
        self,
        account: AccountDraft,
        contact: ContactDraft,
        target: AccountDraft,
        day: float,
        rows: dict[str, list[Row]],
    ) -> None:
        self._leave(account, contact, ContactStatus.LEFT, day, rows)
        roles = frozenset({self.rng.choice((BuyingRole.SPONSOR, BuyingRole.DECISION_MAKER))})
        arrival = self._new_contact(
            target,
            roles,
            rows,
            since=day,
            person=contact.person_row,
            influence=contact.influence,
        )
        arrival.row["started_on"] = self._on(day)
        contact.row["moved_to_contact_id"] = arrival.id
        self._signal(
            rows,
            "champion_moved",
            day,
            f"{contact.name} moved from {account.name} to {target.name}",
            account_id=target.id,
            contact_id=arrival.id,
            related_account_id=account.id,
            owner_id=account.owner_id,
        )
