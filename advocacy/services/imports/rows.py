"""What each row of an import does: the planners shared by accounts, contacts, engagements and
touchpoints. A planner matches a row to an existing record (external id first, then a natural
key), decides create / update / unchanged, and later applies the plan through the services.

Empty cells never erase what is stored: CRM exports leave many columns blank.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from advocacy.domain.access import may_edit_account
from advocacy.domain.csv_fields import Kind, field_spec
from advocacy.domain.csv_import import Rejection, RowProblem
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import Account, User
from advocacy.repository import imports

M = TypeVar("M", bound=BaseModel)
IMPORT_REASON = "changed by a CSV import"


@dataclass(frozen=True)
class ImportOptions:
    """The choices a user makes for one import, beyond the column mapping."""

    create_accounts: bool = True  # a contact's company that matches nothing becomes an account
    contacts_without_email: bool = True  # the firm's setting: may a contact have no address?
    date_order: str = "dmy"  # how slashed dates read: day first (dmy) or month first (mdy)
    stages: Mapping[str, str] = field(default_factory=dict)  # lifecycle word → stage, or ""


@dataclass
class Step:
    """What one row does: create a record, update one, or nothing (it is already as the file says)."""

    line: int
    action: str  # create | update | unchanged
    label: str
    data: Any = None  # the Create schema of a new record
    target: Any = None  # the record to update
    account: Account | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    new_account: str = ""  # key of the account this import creates for the row


def validated(
    kind: Kind, schema: type[M], values: Mapping[str, Any], columns: Mapping[str, str] | None = None
) -> M:
    """The Create schema of a row; its refusals become row problems naming the file's column
    the field was mapped from (`columns`: field → column), else the field."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        detail = error.errors()[0]
        name = str(detail["loc"][0]) if detail.get("loc") else ""
        column = (columns or {}).get(name)
        if column:
            raise _column_problem(name, column, detail, values.get(name)) from None
        raise _problem(kind, name, detail, values.get(name)) from None


def _column_problem(name: str, column: str, detail: Mapping[str, Any], value: Any) -> RowProblem:
    """A refusal named by the user's column (their header, never translated as our labels are)."""
    shown = "" if value is None else str(value)
    kind_of_error = detail.get("type", "")
    context = detail.get("ctx") or {}
    if kind_of_error in {"missing", "string_too_short"}:
        return RowProblem(N_("Missing value in column %(column)s"), field=name, column=column)
    if kind_of_error == "string_too_long":
        return RowProblem(
            N_("Column %(column)s is too long (at most %(max)s characters)"),
            field=name,
            column=column,
            max=context.get("max_length", ""),
        )
    if name == "email" or "email" in str(detail.get("msg", "")).lower():
        return RowProblem(N_("Not a valid e-mail address: %(value)s"), field=name, value=shown)
    if kind_of_error == "value_error":
        reason = str(detail.get("msg", "")).removeprefix("Value error, ")
        return RowProblem(
            N_("Column %(column)s: %(reason)s"), field=name, column=column, reason=reason
        )
    return RowProblem(
        N_("Not a valid value in column %(column)s: %(value)s"),
        field=name,
        column=column,
        value=shown,
    )


def _problem(kind: Kind, name: str, detail: Mapping[str, Any], value: Any) -> RowProblem:
    spec = field_spec(kind, name)
    label = spec.label if spec else name
    shown = "" if value is None else str(value)
    kind_of_error = detail.get("type", "")
    context = detail.get("ctx") or {}
    if kind_of_error in {"missing", "string_too_short"}:
        return RowProblem(N_("Missing value: %(label)s"), field=name, label=label)
    if kind_of_error == "string_too_long":
        return RowProblem(
            N_("%(label)s is too long (at most %(max)s characters)"),
            field=name,
            label=label,
            max=context.get("max_length", ""),
        )
    if name == "email" or "email" in str(detail.get("msg", "")).lower():
        return RowProblem(N_("Not a valid e-mail address: %(value)s"), field=name, value=shown)
    if kind_of_error == "value_error":
        reason = str(detail.get("msg", "")).removeprefix("Value error, ")
        return RowProblem(N_("%(label)s: %(reason)s"), field=name, label=label, reason=reason)
    return RowProblem(N_("Not a valid %(label)s: %(value)s"), field=name, label=label, value=shown)


def changed(current: object, wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The wanted values that differ from the row's current ones (enums compared by value).

    Reads the row's attributes directly: dumping the whole row for every line of a file cost
    more than the comparison.
    """
    changes: dict[str, Any] = {}
    for name, value in wanted.items():
        plain = value.value if hasattr(value, "value") else value
        if getattr(current, name, None) != plain:
            changes[name] = plain
    return changes


class Planner(ABC):
    """Plans rows of one kind against the database; subclasses say how a row matches and applies."""

    kind: Kind

    def __init__(
        self,
        session: Session,
        *,
        now: datetime,
        by: User | None,
        columns: Mapping[str, str] | None = None,
        options: ImportOptions | None = None,
    ) -> None:
        self.session, self.now, self.by = session, now, by
        self.options = options or ImportOptions()
        self.columns: Mapping[str, str] = columns or {}  # field → the file's column, for messages
        self.warnings: list[Rejection] = []
        self.accounts_by_id: dict[str, Account] = {}
        self.accounts_by_name: dict[str, Account] = {}
        self.claimed: dict[tuple[str, int], int] = {}  # (table, row id) -> first line using it
        self._team: set[int] | None = None

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Load, in a few queries, every record the rows refer to or may update."""
        values = [row for _, row in rows]
        self.accounts_by_id = imports.accounts_by_external_ids(
            self.session, [v["account_external_id"] for v in values if "account_external_id" in v]
        )
        self.accounts_by_name = imports.accounts_by_names(
            self.session, [v["account_name"] for v in values if "account_name" in v]
        )

    def new_accounts(self) -> list[Any]:
        """The accounts this import creates for the rows it imports (contacts files only)."""
        return []

    def account_matches(self) -> list[Any]:
        """How the file's company names matched existing accounts (contacts files only)."""
        return []

    @abstractmethod
    def plan(self, line: int, values: dict[str, Any]) -> Step:
        """What one row would do (create, update, unchanged) or why it is rejected."""

    @abstractmethod
    def apply(self, steps: list[Step], progress: Callable[[int], None]) -> None:
        """Write the planned steps (no commit: the import owns the transaction)."""

    def warn(self, line: int, message: str, *, field: str = "", **params: object) -> None:
        """Something the user should know about a row that is imported all the same."""
        self.warnings.append(
            Rejection(line, message, params, field, column=self.columns.get(field, ""))
        )

    def referenced_account(self, values: Mapping[str, Any]) -> Account:
        """The account a row names, by external id first, then by name; checked for editing."""
        account = None
        if "account_external_id" in values:
            account = self.accounts_by_id.get(values["account_external_id"])
        if account is None and "account_name" in values:
            account = self.accounts_by_name.get(str(values["account_name"]).strip().lower())
        if account is None:
            name = "account_external_id" if "account_external_id" in values else "account_name"
            raise RowProblem(N_("Unknown account: %(value)s"), field=name, value=values[name])
        self.check_may_edit(account)
        return account

    def check_may_edit(self, account: Account) -> None:
        """Account managers import only into accounts they own or work on; the CLI is trusted."""
        if self.by is None or account.id is None:
            return
        if self._team is None:
            self._team = imports.team_account_ids(self.session, self.by.id or 0)
        team = {self.by.id or 0} if account.id in self._team else set()
        if not may_edit_account(
            Role(self.by.role), self.by.id or 0, owner_id=account.owner_id, team_user_ids=team
        ):
            raise RowProblem(
                N_(
                    "Only the account's owner, its team or an administrator may change it: %(name)s"
                ),
                name=account.name,
            )

    def claim(self, table: str, row_id: int | None, line: int) -> None:
        """Refuse a second row that lands on a record an earlier row already updates."""
        if row_id is None:
            return
        first = self.claimed.setdefault((table, row_id), line)
        if first != line:
            raise RowProblem(N_("Same record as line %(line)s"), line=first)

    def step(self, line: int, label: str, target: Any, changes: dict[str, Any], **kw: Any) -> Step:
        action = "update" if changes else "unchanged"
        return Step(line, action, label, target=target, changes=changes, **kw)
