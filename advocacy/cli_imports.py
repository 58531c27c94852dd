"""`advocacy import` and `advocacy export`: CSV files in and out, from the command line."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from advocacy.adapters.csv_files import CsvFileError, CsvTable, read_table, write_csv
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_import import Rejection
from advocacy.domain.csv_presets import detect_preset
from advocacy.domain.errors import RuleError
from advocacy.domain.journey import Stage
from advocacy.services.imports import choices, csv_files

# The command line has no upload limit to protect; this only refuses something absurd.
CLI_MAX_BYTES = 500 * 1024 * 1024
# Below this many rows a progress bar is noise.
PROGRESS_FROM_ROWS = 1000
KINDS = click.Choice([kind.value for kind in Kind])
STAGES = [stage.value for stage in Stage]
DATE_ORDER_NAMES = {"dmy": "day first (31/12/2024)", "mdy": "month first (12/31/2024)"}


def _overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip():
            raise click.UsageError(f'--map takes "Header=field" (or "Header=" to ignore): {pair}')
        overrides[header.strip()] = field.strip()
    return overrides


def _stages(pairs: tuple[str, ...]) -> dict[str, str]:
    stages: dict[str, str] = {}
    for pair in pairs:
        word, sep, stage = pair.rpartition("=")
        if not sep or not word.strip() or stage.strip() not in {*STAGES, ""}:
            raise click.UsageError(
                f'--stage takes "Lifecycle word=stage", the stage one of {", ".join(STAGES)} '
                f"(or empty for none): {pair}"
            )
        stages[word.strip()] = stage.strip()
    return stages


def _where(rejection: Rejection) -> str:
    where = f"line {rejection.line}" if rejection.line else "file"
    if rejection.column:
        where += f', column "{rejection.column}", value "{rejection.value}"'
    return where


def _reason(rejection: Rejection) -> str:
    """The reason column of the rejected-rows file: the column, its value, what is wrong."""
    if rejection.column:
        return f'column "{rejection.column}" ("{rejection.value}"): {rejection}'
    return str(rejection)


def _print_report(report: csv_files.ImportReport, *, dry_run: bool) -> None:
    verb = "would be" if dry_run or not report.applied else "were"
    click.echo(
        f"{report.rows} rows: {report.created} {verb} created, {report.updated} {verb} updated, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected."
    )
    for new in report.new_accounts:
        click.echo(
            f"  new account {new.name!r} ({new.stage}, {new.rows} rows, first on line {new.line})"
        )
    for match in report.account_matches:
        click.echo(f"  {match.how} {match.named!r} matched account {match.account!r}")
    for outcome in report.outcomes:
        if outcome.action == "update":
            click.echo(
                f"  line {outcome.line}: update {outcome.label} ({', '.join(outcome.changes)})"
            )
    for warning in report.warnings:
        click.echo(f"  warning, {_where(warning)}: {warning}", err=True)
    for rejection in report.rejected:
        click.echo(f"  {_where(rejection)}: {rejection}", err=True)


def _write_rejected(table: CsvTable, report: csv_files.ImportReport, path: Path) -> None:
    rows = csv_files.rejected_rows(table, report.rejected, _reason)
    # The user's own encoding and separator: the file goes back to the tool it came from.
    with path.open("w", encoding=table.encoding, errors="replace", newline="") as handle:
        for chunk in write_csv(rows, bom=table.encoding == "utf-8", delimiter=table.delimiter):
            handle.write(chunk)
    click.echo(f"Rejected rows written to {path} (fix them and import that file).")


@click.command("import")
@click.argument("kind", type=KINDS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--mapping", "mapping_name", help="Use a saved column mapping.")
@click.option("--map", "pairs", multiple=True, metavar='"Header=field"', help="Map one column.")
@click.option("--save-mapping", help="Save the mapping used under this name.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows and write the rejected ones to a file to fix.",
)
@click.option(
    "--rejected",
    "rejected_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where --skip-invalid writes the rejected rows (default: FILE.rejected.csv).",
)
@click.option(
    "--create-accounts/--no-create-accounts",
    default=True,
    help="Create the companies of a contacts file that match no account (default: yes).",
)
@click.option(
    "--date-format",
    type=click.Choice(["dmy", "mdy"]),
    help="How dates like 05/11/2019 read: day first or month first (default: detected).",
)
@click.option(
    "--stage", "stage_pairs", multiple=True, metavar='"Word=stage"',
    help="The journey stage a lifecycle word stands for (empty for none).",
)  # fmt: skip
@with_appcontext
def import_command(
    kind: str,
    file: Path,
    dry_run: bool,
    mapping_name: str | None,
    pairs: tuple[str, ...],
    save_mapping: str | None,
    skip_invalid: bool,
    rejected_path: Path | None,
    create_accounts: bool,
    date_format: str | None,
    stage_pairs: tuple[str, ...],
) -> None:
    """Import accounts, contacts, engagements or touchpoints from a CSV FILE.

    By default the whole file is imported or nothing is: any rejected line stops the import
    (exit code 1). With --skip-invalid the valid rows are imported and the rejected ones are
    written, with their reason, to a file in the same columns.
    """
    the_kind = Kind(kind)
    stages = _stages(stage_pairs)
    session = db_session()
    try:
        table = read_table(file.read_bytes(), max_bytes=CLI_MAX_BYTES)
        saved = csv_files.load_mapping(session, the_kind, mapping_name) if mapping_name else None
    except (CsvFileError, RuleError) as error:
        raise click.ClickException(str(error)) from None
    mapping = csv_files.mapping_for(
        the_kind, table.headers, saved=saved, overrides=_overrides(pairs)
    )
    click.echo(f"{file.name}: {len(table.rows)} rows, {table.encoding}, "
               f"separated by {table.delimiter!r}.")  # fmt: skip
    preset = detect_preset(the_kind, table.headers)
    if preset is not None:
        click.echo(f"Recognised: {preset.label}; its ready-made mapping is used.")
    for header, field in mapping.items():
        click.echo(f"  {header} -> {field or '(ignored)'}")
    detected = choices.date_order_of(the_kind, table, mapping)
    order = date_format or detected
    click.echo(f"Dates read {DATE_ORDER_NAMES[order]}" + ("" if date_format else " (detected; "
               "change with --date-format)") + ".")  # fmt: skip
    options = csv_files.ImportOptions(
        create_accounts=create_accounts,
        contacts_without_email=current_app.config["ADVOCACY"].imports_contacts_without_email,
        date_order=order,
        stages=stages,
    )
    if dry_run:
        run = functools.partial(csv_files.plan_import, options=options)
    else:
        run = functools.partial(csv_files.run_import, options=options, skip_invalid=skip_invalid)
    steps = len(table.rows) * (1 if dry_run else 2)
    try:
        with click.progressbar(
            length=steps,
            label="Importing" if not dry_run else "Checking",
            file=sys.stderr,
            hidden=len(table.rows) < PROGRESS_FROM_ROWS,
        ) as bar:
            report = run(session, the_kind, table, mapping, now=utcnow(), progress=bar.update)
        if save_mapping:
            csv_files.save_mapping(session, the_kind, save_mapping, mapping, by=None, now=utcnow())
            click.echo(f"Mapping saved as {save_mapping!r}.")
    except csv_files.MappingRefused as error:
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException("the column mapping needs changes; use --map") from None
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    _print_report(report, dry_run=dry_run)
    if report.skipped_invalid:
        _write_rejected(table, report, rejected_path or file.with_suffix(".rejected.csv"))
    elif not report.ok:
        hint = "" if dry_run else " (or use --skip-invalid)"
        raise click.ClickException(
            f"rejected lines: nothing was imported. Fix them (or the mapping) and run again{hint}."
        )
    if dry_run:
        click.echo("Dry run: nothing was written.")


@click.command("export")
@click.argument("kind", type=KINDS)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@with_appcontext
def export_command(kind: str, output: Path | None) -> None:
    """Export a table as CSV (UTF-8 with a BOM, formula-like cells neutralised)."""
    csv_files.record_export(db_session(), Kind(kind), by=None, now=utcnow())
    chunks = write_csv(csv_files.export_rows(db_session(), Kind(kind)), bom=output is not None)
    if output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    click.echo(f"Exported {kind} to {output}.", err=True)
