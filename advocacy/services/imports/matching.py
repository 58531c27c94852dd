"""Which account each row of a contacts file belongs to, and the accounts the file will create.

A row names its company by external id, by name or only through the e-mail address of the person.
It matches an existing account by external id, then by name compared without case, accents or legal
form, then by the work e-mail domain of the account's contacts; a company that matches nothing
becomes a new account (unless the user turned that off), shared by every row that names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from advocacy.domain.csv_accounts import account_key, company_domain
from advocacy.domain.csv_import import RowProblem
from advocacy.domain.journey import Stage
from advocacy.domain.text import N_
from advocacy.models import Account
from advocacy.repository import imports


@dataclass
class NewAccount:
    """An account the import creates: the first row naming it says its name, id and stage."""

    key: str
    name: str
    line: int
    external_id: str | None = None
    stage: Stage = Stage.PROSPECT
    owner_email: str | None = None
    rows: int = 0
    domains: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class AccountMatch:
    """One way the file names an existing account, as the dry run shows it."""

    named: str  # what the file says: a name, an id or an e-mail domain
    how: str  # external_id | name | domain
    account: str
    line: int  # the first line matched this way


@dataclass(frozen=True)
class Resolution:
    account: Account | None = None
    new: NewAccount | None = None


class AccountResolver:
    """Resolves the account of each row against every account and the ones this file creates."""

    def __init__(self, session: Session, *, create: bool) -> None:
        self.session, self.create = session, create
        self.by_external_id: dict[str, Account] = {}
        self.by_key: dict[str, Account] = {}
        for account in imports.all_accounts(session):
            if account.external_id:
                self.by_external_id.setdefault(account.external_id, account)
            self.by_key.setdefault(account_key(account.name), account)
        self._by_domain: dict[str, Account] | None = None
        self.new: dict[str, NewAccount] = {}
        self.new_by_external_id: dict[str, NewAccount] = {}
        self.new_by_domain: dict[str, NewAccount] = {}
        self.matches: dict[tuple[str, str], AccountMatch] = {}

    def _domains(self) -> dict[str, Account]:
        # Read once, and only when a row needs it: a firm's contacts can be many.
        if self._by_domain is None:
            accounts = {account.id: account for account in self.by_key.values()}
            accounts.update((a.id, a) for a in self.by_external_id.values())
            self._by_domain = {}
            for account_id, email in imports.contact_emails_by_account(self.session):
                domain = company_domain(email)
                if domain and account_id in accounts:
                    self._by_domain.setdefault(domain, accounts[account_id])
        return self._by_domain

    def resolve(
        self, line: int, values: Mapping[str, Any], columns: Mapping[str, str]
    ) -> Resolution:
        """The row's existing account or the new one it joins; RowProblem when it has none."""
        external_id = values.get("account_external_id")
        name = str(values.get("account_name", "")).strip()
        key = account_key(name) if name else ""
        if external_id:
            if (account := self.by_external_id.get(external_id)) is not None:
                return self._matched(line, external_id, "external_id", account)
            if (new := self.new_by_external_id.get(external_id)) is not None:
                return Resolution(new=new)
        if key:
            account = self.by_key.get(key)
            if account is not None and not (
                external_id and account.external_id not in (None, external_id)
            ):
                return self._matched(line, name, "name", account)
            if (new := self.new.get(key)) is not None and not (
                external_id and new.external_id not in (None, external_id)
            ):
                return Resolution(new=new)
        domain = company_domain(str(values.get("email", "")))
        if domain:
            if (account := self._domains().get(domain)) is not None:
                return self._matched(line, domain, "domain", account)
            # A row that names its company does not join another new company by its domain.
            if not name and (new := self.new_by_domain.get(domain)) is not None:
                return Resolution(new=new)
        if not name:
            if external_id:
                raise RowProblem(
                    N_("Unknown account: %(value)s"),
                    field="account_external_id",
                    value=external_id,
                )
            raise RowProblem(
                N_("Missing value in column %(column)s"),
                field="account_name",
                column=columns.get("account_name") or columns.get("account_external_id", ""),
            )
        if not self.create:
            raise RowProblem(
                N_("Unknown account: %(value)s (creating accounts is turned off)"),
                field="account_name",
                value=name,
            )
        return Resolution(
            new=NewAccount(
                key=key,
                name=name,
                line=line,
                external_id=external_id or None,
                stage=Stage(values.get("account_stage") or Stage.PROSPECT),
                owner_email=values.get("owner_email"),
            )
        )

    def _matched(self, line: int, named: str, how: str, account: Account) -> Resolution:
        self.matches.setdefault((how, named), AccountMatch(named, how, account.name, line))
        return Resolution(account=account)

    def keep(self, new: NewAccount, values: Mapping[str, Any]) -> None:
        """Count a planned row under its new account (registering the account on its first row)."""
        if new.key not in self.new:
            self.new[new.key] = new
            if new.external_id:
                self.new_by_external_id.setdefault(new.external_id, new)
        new.rows += 1
        domain = company_domain(str(values.get("email", "")))
        if domain:
            new.domains.add(domain)
            self.new_by_domain.setdefault(domain, new)
