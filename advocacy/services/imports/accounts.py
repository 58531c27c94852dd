"""Importing accounts and contacts: matching, planning, and applying in bulk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from advocacy.domain import journey
from advocacy.domain.access import may_own_accounts, owns_what_they_create
from advocacy.domain.csv_accounts import account_key
from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_import import RowProblem
from advocacy.domain.identity import Role
from advocacy.domain.journey import IllegalMove, Stage
from advocacy.domain.text import N_
from advocacy.models import (
    Account,
    AccountCreate,
    Contact,
    ContactCreate,
    ContactRole,
    Person,
    User,
)
from advocacy.models.fields import saved_id
from advocacy.repository import imports
from advocacy.repository.journey import set_roles
from advocacy.services.imports.matching import AccountMatch, AccountResolver, NewAccount
from advocacy.services.imports.rows import IMPORT_REASON, Planner, Step, changed, validated
from advocacy.services.journey.accounts import add_account, record_move

ACCOUNT_FIELDS = ("name", "industry", "size_band", "country", "notes", "external_id", "stage")
CONTACT_FIELDS = (
    "title",
    "phone",
    "language",
    "timezone",
    "consent_basis",
    "consent_source",
    "started_on",
    "external_id",
    "email",
    "seniority",
    "influence",
)
CONTACT_COLUMNS = tuple(
    name for name in ContactCreate.model_fields if name not in {"full_name", "roles"}
)
# Rows inserted per statement when contacts are created in bulk.
BULK_ROWS = 2000


def owner_id(planner: Planner, owners: dict[str, User], line: int, email: str | None) -> int | None:
    """The owner an imported account gets: the staff user the file names by e-mail, else (an
    unknown owner is a warning, not a rejection) whoever the importer's role makes the owner."""
    if email:
        owner = owners.get(email)
        if owner is not None and owner.active and may_own_accounts(Role(owner.role)):
            return owner.id
        planner.warn(
            line,
            N_("Unknown owner (an active account manager or administrator): %(value)s"),
            field="owner_email",
            value=email,
        )
    by = planner.by
    # An account manager's new accounts are theirs, or they could not edit them later.
    return by.id if by and owns_what_they_create(Role(by.role)) else None


class AccountPlanner(Planner):
    kind = Kind.ACCOUNTS

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        values = [row for _, row in rows]
        self.by_external_id = imports.accounts_by_external_ids(
            self.session, [v["external_id"] for v in values if "external_id" in v]
        )
        self.by_name = imports.accounts_by_names(self.session, [v["name"] for v in values])
        self.owners = imports.users_by_emails(
            self.session, [v["owner_email"] for v in values if "owner_email" in v]
        )

    def _owner_id(self, line: int, values: dict[str, Any]) -> int | None:
        return owner_id(self, self.owners, line, values.get("owner_email"))

    def plan(self, line: int, values: dict[str, Any]) -> Step:
        wanted = {name: values[name] for name in ACCOUNT_FIELDS if name in values}
        data = validated(self.kind, AccountCreate, wanted, self.columns)
        owner = self._owner_id(line, values)
        account = None
        if data.external_id:
            account = self.by_external_id.get(data.external_id)
        if account is None:
            account = self.by_name.get(data.name.lower())
            if account and data.external_id and account.external_id not in (None, data.external_id):
                account = None  # same name, but the file says it is another organisation
        if account is None:
            data.owner_id = owner
            return Step(line, "create", data.name, data=data)
        self.check_may_edit(account)
        self.claim("accounts", account.id, line)
        present = {name: getattr(data, name) for name in wanted}
        if "owner_email" in values and owner is not None:
            present["owner_id"] = owner
        changes = changed(account, present)
        if "stage" in changes:
            try:
                journey.move_stage(
                    account.id or 0,
                    Stage(account.stage),
                    data.stage,
                    at=self.now,
                    reason=N_("imported from a file"),
                )
            except IllegalMove as error:
                raise RowProblem(error.message, field="stage", **error.params) from None
        return self.step(line, account.name, account, changes)

    def apply(self, steps: list[Step], progress: Callable[[int], None]) -> None:
        for step in steps:
            if step.action == "create":
                add_account(self.session, step.data, by=self.by, now=self.now, source="import")
            elif step.action == "update":
                account: Account = step.target
                stage = step.changes.pop("stage", None)
                for name, value in step.changes.items():
                    setattr(account, name, value)
                account.updated_at = self.now
                self.session.add(account)
                if stage is not None:
                    record_move(
                        self.session,
                        account,
                        Stage(stage),
                        reason=IMPORT_REASON,
                        by=self.by,
                        now=self.now,
                        rule="import",
                    )
            progress(1)


class ContactPlanner(Planner):
    kind = Kind.CONTACTS

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        values = [row for _, row in rows]
        self.resolver = AccountResolver(self.session, create=self.options.create_accounts)
        self.new_account_data: dict[str, AccountCreate] = {}
        self.owners = imports.users_by_emails(
            self.session, [v["owner_email"] for v in values if "owner_email" in v]
        )
        self.by_external_id = imports.contacts_by_external_ids(
            self.session, [v["external_id"] for v in values if "external_id" in v]
        )
        # A row whose external id is known matches on it (`_match`): its e-mail need not be read.
        self.by_email = imports.contacts_by_emails(
            self.session,
            [
                v["email"]
                for v in values
                if "email" in v and v.get("external_id") not in self.by_external_id
            ],
        )
        self.erased = imports.erased_addresses(
            self.session, [v["email"].strip().lower() for v in values if v.get("email")]
        )
        nameless = [v for v in values if "external_id" not in v and "email" not in v]
        named = [
            self.resolver.by_external_id.get(v.get("account_external_id", "")) for v in nameless
        ]
        named += [
            self.resolver.by_key.get(account_key(v.get("account_name", ""))) for v in nameless
        ]
        account_ids = {saved_id(a) for a in named if a is not None}
        self.by_name = imports.contacts_by_names_at(self.session, account_ids) if nameless else {}
        found = [*self.by_external_id.values(), *(c for cs in self.by_email.values() for c in cs)]
        found += list(self.by_name.values())
        self.people = imports.people_by_ids(self.session, {c.person_id for c in found})
        self.roles = imports.roles_by_contact(self.session, {saved_id(c) for c in found})

    def _match(self, data: ContactCreate, account: Account) -> Contact | None:
        if data.external_id and data.external_id in self.by_external_id:
            return self.by_external_id[data.external_id]
        if data.email:
            candidates = [
                c
                for c in self.by_email.get(data.email, [])
                if data.external_id is None or c.external_id is None
            ]
            # A person who moved has a contact per employer: prefer the one at this account.
            same = [c for c in candidates if c.account_id == account.id]
            return (same or candidates)[0] if same or candidates else None
        if not data.external_id:
            return self.by_name.get((account.id or 0, data.full_name.strip().lower()))
        return None

    def plan(self, line: int, values: dict[str, Any]) -> Step:
        wanted = {n: values[n] for n in (*CONTACT_FIELDS, "full_name", "roles") if n in values}
        data = validated(self.kind, ContactCreate, wanted, self.columns)
        if not data.email and not self.options.contacts_without_email:
            raise RowProblem(
                N_("Missing value in column %(column)s (a contact needs an e-mail address)"),
                field="email",
                column=self.columns.get("email", "email"),
            )
        if data.email and data.email.lower() in self.erased:
            # Erased on request: coming back through a file would undo it without anyone noticing.
            raise RowProblem(
                N_(
                    "This address belonged to a person erased at their request: add them by "
                    "hand only if they ask to be a contact again."
                ),
                field="email",
                column=self.columns.get("email", "email"),
            )
        resolution = self.resolver.resolve(line, values, self.columns)
        if resolution.new is not None:
            return self._plan_with_new_account(line, values, data, resolution.new)
        account = resolution.account
        assert account is not None
        self.check_may_edit(account)
        contact = self._match(data, account)
        if contact is None:
            self._refuse_a_second_address_holder(data, account)
            return Step(line, "create", data.full_name, data=data, account=account)
        if contact.account_id != account.id:
            raise RowProblem(
                N_(
                    "This person is a contact at another account here; record their move on "
                    "the contact page instead."
                ),
                field="account_name" if "account_name" in values else "account_external_id",
            )
        self.claim("contacts", contact.id, line)
        present = {name: getattr(data, name) for name in CONTACT_FIELDS if name in wanted}
        changes = changed(contact, present)
        person = self.people[contact.person_id]
        if data.full_name != person.full_name:
            changes["full_name"] = data.full_name
        roles = {role.value for role in data.roles}
        if "roles" in wanted and roles != self.roles.get(contact.id or 0, set()):
            changes["roles"] = roles
        return self.step(line, data.full_name, contact, changes, account=account)

    def _plan_with_new_account(
        self, line: int, values: dict[str, Any], data: ContactCreate, new: NewAccount
    ) -> Step:
        """A contact of a company the import creates (the contact is new, its account is too)."""
        if new.key not in self.resolver.new:
            wanted = {"name": new.name, "external_id": new.external_id, "stage": new.stage}
            named_by = {"name": self.columns.get("account_name", "")}
            account = validated(Kind.ACCOUNTS, AccountCreate, wanted, named_by)
            account.owner_id = owner_id(self, self.owners, line, new.owner_email)
            self.new_account_data[new.key] = account
        self.resolver.keep(new, values)
        return Step(line, "create", data.full_name, data=data, new_account=new.key)

    def new_accounts(self) -> list[NewAccount]:
        return list(self.resolver.new.values())

    def account_matches(self) -> list[AccountMatch]:
        return sorted(self.resolver.matches.values(), key=lambda match: match.line)

    def _refuse_a_second_address_holder(self, data: ContactCreate, account: Account) -> None:
        """One account, one contact per address: another CRM record with the same e-mail would
        make a second contact that gets every e-mail again and doubles the address's budget."""
        if not data.email:
            return
        holder = next(
            (c for c in self.by_email.get(data.email, []) if c.account_id == account.id), None
        )
        if holder is not None:
            raise RowProblem(
                N_(
                    "This e-mail address belongs to a contact of this account with another "
                    "external id (%(external_id)s): %(value)s"
                ),
                field="email",
                external_id=holder.external_id or "",
                value=data.email,
            )

    def apply(self, steps: list[Step], progress: Callable[[int], None]) -> None:
        used = {step.new_account for step in steps}
        created = {
            key: add_account(self.session, data, by=self.by, now=self.now, source="import")
            for key, data in self.new_account_data.items()
            if key in used
        }
        for step in steps:
            if step.new_account:
                step.account = created[step.new_account]
        creations = [step for step in steps if step.action == "create"]
        for batch in imports.chunks(creations, BULK_ROWS):
            self._create(batch)
            progress(len(batch))
        for step in steps:
            if step.action == "update":
                self._update(step)
            if step.action != "create":
                progress(1)

    def _create(self, steps: list[Step]) -> None:
        """Insert people, contacts and roles in bulk: the rows add_contact_to would add, without
        a flush and two queries per contact (100,000 contacts must import in seconds)."""
        now = self.now
        # Core inserts on the session's connection: the ORM's bulk path costs several times more
        # per row, and these rows need no identity map (nothing reads them back in this import).
        connection = self.session.connection()
        people, contacts = Person.__table__, Contact.__table__  # type: ignore[attr-defined]
        person_rows = [{"full_name": step.data.full_name, "created_at": now} for step in steps]
        person_ids = _insert_with_ids(connection, people, person_rows)
        contact_rows = []
        for step, person_id in zip(steps, person_ids, strict=True):
            data: ContactCreate = step.data
            # The validated fields as they are (model_dump costs ten times more per row).
            row = {name: getattr(data, name) for name in CONTACT_COLUMNS}
            row.update(
                person_id=person_id,
                account_id=step.account.id,  # type: ignore[union-attr]
                seniority=data.seniority.value,
                created_at=now,
                updated_at=now,
            )
            contact_rows.append(row)
        contact_ids = _insert_with_ids(connection, contacts, contact_rows)
        roles = [
            {"contact_id": contact_id, "role": role.value}
            for step, contact_id in zip(steps, contact_ids, strict=True)
            for role in sorted(set(step.data.roles))
        ]
        if roles:
            connection.execute(insert(ContactRole.__table__), roles)  # type: ignore[attr-defined]

    def _update(self, step: Step) -> None:
        contact: Contact = step.target
        changes = dict(step.changes)
        full_name = changes.pop("full_name", None)
        roles = changes.pop("roles", None)
        for name, value in changes.items():
            setattr(contact, name, value)
        if full_name is not None:
            person = self.people[contact.person_id]
            person.full_name = full_name
            self.session.add(person)
        if roles is not None:
            set_roles(self.session, contact.id or 0, roles)
        contact.updated_at = self.now
        self.session.add(contact)


def _insert_with_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` and return their new ids, in order, in as few statements as possible.

    PostgreSQL returns the ids of a multi-row insert in order. SQLite cannot promise that order,
    so SQLAlchemy would insert row by row; there the ids are assigned here instead. That is safe
    because SQLite has one writer at a time: a writer that slipped in since this transaction
    read the maximum makes our write fail, it never collides silently.
    """
    if connection.dialect.name != "sqlite":
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(connection.scalars(statement, rows).all())
    start = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(start, start + len(rows)))
    connection.execute(
        insert(table), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)]
    )
    return ids
