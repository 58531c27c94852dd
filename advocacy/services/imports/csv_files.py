"""CSV import use cases: map a file's columns, dry-run it, import it in one transaction, and keep
mappings for next time.

A file is all or nothing by default: when any row is rejected nothing is written, and the report
lists every rejected line with its reason. The user may instead choose to import the valid rows and
get the rejected ones back as a file to fix. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from advocacy.adapters.csv_files import CsvTable
from advocacy.domain.audit import Action
from advocacy.domain.csv_fields import Kind, field_spec
from advocacy.domain.csv_import import (
    MappingProblem,
    Rejection,
    RowParser,
    RowProblem,
    RowReader,
    check_mapping,
    column_names,
    duplicate_keys,
    suggest_mapping,
)
from advocacy.domain.csv_presets import detect_preset, preset_mapping
from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_
from advocacy.models import ImportMapping, User
from advocacy.repository import audit, imports
from advocacy.services.imports.accounts import AccountPlanner, ContactPlanner
from advocacy.services.imports.exports import export_rows, record_export
from advocacy.services.imports.matching import AccountMatch, NewAccount
from advocacy.services.imports.rejected import named_cells, rejected_rows
from advocacy.services.imports.rows import ImportOptions, Planner, Step
from advocacy.services.imports.work import EngagementPlanner, TouchpointPlanner

__all__ = [
    "ImportOptions",
    "ImportReport",
    "MappingRefused",
    "export_rows",
    "list_mappings",
    "load_mapping",
    "mapping_for",
    "plan_import",
    "record_export",
    "rejected_rows",
    "run_import",
    "save_mapping",
]

PLANNERS: Mapping[Kind, type[Planner]] = {
    Kind.ACCOUNTS: AccountPlanner,
    Kind.CONTACTS: ContactPlanner,
    Kind.ENGAGEMENTS: EngagementPlanner,
    Kind.TOUCHPOINTS: TouchpointPlanner,
}
Progress = Callable[[int], None]


class MappingRefused(RuleError):
    """The column mapping cannot be used; `problems` lists everything to fix."""

    def __init__(self, problems: Sequence[MappingProblem]) -> None:
        self.problems = list(problems)
        super().__init__(N_("The column mapping needs changes: %(problems)s"),
                         problems="; ".join(str(p) for p in problems))  # fmt: skip


@dataclass(frozen=True)
class RowOutcome:
    line: int
    action: str  # create | update | unchanged
    label: str
    changes: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """What an import did, or would do: counts, each row's outcome, and every rejected line."""

    kind: Kind
    rows: int
    outcomes: list[RowOutcome] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    applied: bool = False
    warnings: list[Rejection] = field(default_factory=list)
    new_accounts: list[NewAccount] = field(default_factory=list)  # contacts files only
    account_matches: list[AccountMatch] = field(default_factory=list)
    skipped_invalid: bool = False  # the valid rows were imported, the rejected ones left out

    def _count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def created(self) -> int:
        return self._count("create")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def ok(self) -> bool:
        return not self.rejected


def mapping_for(
    kind: Kind,
    headers: Sequence[str],
    *,
    saved: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The suggested mapping, then the ready-made one of a recognised CRM export, then a saved
    one, then explicit choices, each winning over the last.

    A saved mapping only speaks for the headers this file has; a header it names that the file
    lacks is ignored, so one mapping serves exports with a few columns more or less.
    """
    mapping = suggest_mapping(kind, headers)
    preset = detect_preset(kind, headers)
    for source in (preset_mapping(preset, headers) if preset else {}, saved or {}, overrides or {}):
        for header, name in source.items():
            if header in mapping:
                if name:
                    # The field now comes from this column; the column it was guessed for is freed.
                    for other, guess in mapping.items():
                        if guess == name and other != header:
                            mapping[other] = ""
                mapping[header] = name
    return mapping


def _unknown_headers(headers: Sequence[str], overrides: Mapping[str, str]) -> list[str]:
    return [header for header in overrides if header not in headers]


@dataclass
class _Plan:
    planner: Planner
    steps: list[Step]
    report: ImportReport


def _plan(
    session: Session,
    kind: Kind,
    table: CsvTable,
    mapping: Mapping[str, str],
    *,
    now: datetime,
    by: User | None,
    progress: Progress | None,
    options: ImportOptions,
) -> _Plan:
    problems = check_mapping(kind, mapping)
    missing = _unknown_headers(table.headers, mapping)
    problems += [
        MappingProblem(N_("The file has no column %(column)s"), column=header) for header in missing
    ]
    if problems:
        raise MappingRefused(problems)
    tick = progress or (lambda _n: None)
    reader = RowReader(kind, table.headers, mapping)
    parser = RowParser(kind, date_order=options.date_order, stages=options.stages)
    report = ImportReport(kind, len(table.rows))
    seen: dict[tuple[object, ...], int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    width = len(table.headers)
    for row in table.rows:
        try:
            if len(row.cells) > width and any(cell.strip() for cell in row.cells[width:]):
                raise RowProblem(
                    N_("This line has %(count)s values but the header has %(width)s columns"),
                    count=len(row.cells),
                    width=width,
                )
            values = parser.values(reader.texts(row.cells))
            keys = duplicate_keys(kind, values)
            for key in keys:
                if key in seen:
                    raise _duplicate(key, seen[key])
            seen.update((key, row.line) for key in keys)
            parsed.append((row.line, values))
        except RowProblem as problem:
            report.rejected.append(_rejection(row.line, problem))
    columns = column_names(mapping)
    planner = PLANNERS[kind](session, now=now, by=by, columns=columns, options=options)
    planner.prefetch(parsed)
    steps: list[Step] = []
    for line, values in parsed:
        try:
            step = planner.plan(line, values)
        except RowProblem as problem:
            report.rejected.append(_rejection(line, problem))
        else:
            steps.append(step)
            report.outcomes.append(
                RowOutcome(step.line, step.action, step.label, tuple(sorted(step.changes)))
            )
        tick(1)
    report.rejected = sorted(
        named_cells(report.rejected, table, mapping), key=lambda rejection: rejection.line
    )
    report.warnings = named_cells(planner.warnings, table, mapping)
    report.new_accounts = planner.new_accounts()
    report.account_matches = planner.account_matches()
    return _Plan(planner, steps, report)


def _duplicate(key: tuple[object, ...], first: int) -> RowProblem:
    if key[0] == "email":
        return RowProblem(
            N_("Same e-mail address as line %(line)s: %(value)s"),
            field="email",
            line=first,
            value=key[1],
        )
    if key[0] == "external_id":
        return RowProblem(
            N_("Same external id as line %(line)s: %(value)s"),
            field="external_id",
            line=first,
            value=key[1],
        )
    return RowProblem(N_("Duplicate of line %(line)s"), line=first)


def _rejection(line: int, problem: RowProblem) -> Rejection:
    return Rejection(line, problem.message, problem.params, problem.field)


def plan_import(
    session: Session,
    kind: Kind,
    table: CsvTable,
    mapping: Mapping[str, str],
    *,
    now: datetime,
    by: User | None = None,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Dry run: what importing the file would create, update or reject. Nothing is written."""
    try:
        return _plan(
            session, kind, table, mapping, now=now, by=by, progress=progress,
            options=options or ImportOptions(),
        ).report  # fmt: skip
    finally:
        session.rollback()


def run_import(
    session: Session,
    kind: Kind,
    table: CsvTable,
    mapping: Mapping[str, str],
    *,
    now: datetime,
    by: User | None = None,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Import the file in one transaction: all or nothing, unless the user chose to import the
    valid rows and leave the rejected ones out (`skip_invalid`)."""
    plan = _plan(
        session, kind, table, mapping, now=now, by=by, progress=progress,
        options=options or ImportOptions(),
    )  # fmt: skip
    report = plan.report
    if not report.ok and not skip_invalid:
        session.rollback()
        return report
    report.skipped_invalid = not report.ok
    tick = progress or (lambda _n: None)
    try:
        plan.planner.apply(plan.steps, tick)
        audit.record(
            session,
            Action.IMPORT_RUN,
            actor=audit.user_actor(by) if by else None,
            details={
                "kind": kind.value,
                "created": report.created,
                "updated": report.updated,
                "skipped": report.unchanged,
            },
            now=now,
        )
        session.commit()
    except (RuleError, IntegrityError) as error:
        # Another user changed the same records between the plan and now: nothing is kept.
        session.rollback()
        message = error.message if isinstance(error, RuleError) else N_("The database refused it")
        params = error.params if isinstance(error, RuleError) else {}
        report.rejected.append(
            Rejection(0, N_("Nothing was imported: %(reason)s"), {"reason": message % params})
        )
        return report
    report.applied = True
    return report


# --- saved mappings ---------------------------------------------------------------------------


def save_mapping(
    session: Session,
    kind: Kind,
    name: str,
    columns: Mapping[str, str],
    *,
    by: User | None,
    now: datetime,
) -> ImportMapping:
    """Keep a mapping under a name for the next file of this kind (replacing one of that name)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise RuleError(N_("A mapping name has 1 to 100 characters."))
    problems = [
        MappingProblem(
            N_("Unknown field %(field)s for column %(column)s"), field=name, column=header
        )
        for header, name in columns.items()
        if name and field_spec(kind, name) is None
    ]
    if problems:
        raise MappingRefused(problems)
    # Ignored columns are kept too: "ignore this column" is a choice worth remembering.
    payload = json.dumps(dict(columns))
    if len(payload) > 20000:
        raise RuleError(N_("This mapping is too large to save."))
    saved = imports.mapping_by_name(session, kind.value, name)
    if saved is None:
        saved = ImportMapping(
            kind=kind.value,
            name=name,
            created_by_id=by.id if by else None,
            created_at=now,
            updated_at=now,
        )
    saved.columns_json, saved.updated_at = payload, now
    session.add(saved)
    session.commit()
    return saved


def load_mapping(session: Session, kind: Kind, name: str) -> dict[str, str]:
    """A saved mapping's columns; RuleError when there is none of that name."""
    saved = imports.mapping_by_name(session, kind.value, name.strip())
    if saved is None:
        raise RuleError(N_("No saved mapping is called %(name)s."), name=name)
    columns = json.loads(saved.columns_json or "{}")
    return {str(header): str(field) for header, field in columns.items()}


def list_mappings(session: Session, kind: Kind) -> list[str]:
    """Names of the saved mappings for this kind."""
    return [saved.name for saved in imports.mappings_of(session, kind.value)]
