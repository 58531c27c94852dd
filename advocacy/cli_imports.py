"""`advocacy import` and `advocacy export`: CSV files in and out, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from advocacy.adapters.csv_files import CsvFileError, read_table, write_csv
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.csv_fields import Kind
from advocacy.domain.errors import RuleError
from advocacy.services.imports import csv_files

# The command line has no upload limit to protect; this only refuses something absurd.
CLI_MAX_BYTES = 500 * 1024 * 1024
# Below this many rows a progress bar is noise.
PROGRESS_FROM_ROWS = 1000
KINDS = click.Choice([kind.value for kind in Kind])


def _overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip():
            raise click.UsageError(f'--map takes "Header=field" (or "Header=" to ignore): {pair}')
        overrides[header.strip()] = field.strip()
    return overrides


def _print_report(report: csv_files.ImportReport, *, dry_run: bool) -> None:
    verb = "would be" if dry_run or not report.applied else "were"
    click.echo(
        f"{report.rows} rows: {report.created} {verb} created, {report.updated} {verb} updated, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected."
    )
    for outcome in report.outcomes:
        if outcome.action == "update":
            click.echo(
                f"  line {outcome.line}: update {outcome.label} ({', '.join(outcome.changes)})"
            )
    for rejection in report.rejected:
        where = f"line {rejection.line}" if rejection.line else "file"
        click.echo(f"  {where}: {rejection}", err=True)


@click.command("import")
@click.argument("kind", type=KINDS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--mapping", "mapping_name", help="Use a saved column mapping.")
@click.option("--map", "pairs", multiple=True, metavar='"Header=field"', help="Map one column.")
@click.option("--save-mapping", help="Save the mapping used under this name.")
@with_appcontext
def import_command(
    kind: str,
    file: Path,
    dry_run: bool,
    mapping_name: str | None,
    pairs: tuple[str, ...],
    save_mapping: str | None,
) -> None:
    """Import accounts, contacts, engagements or touchpoints from a CSV FILE.

    The whole file is imported or nothing is: any rejected line stops the import (exit code 1).
    """
    the_kind = Kind(kind)
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
    for header, field in mapping.items():
        click.echo(f"  {header} -> {field or '(ignored)'}")
    run = csv_files.plan_import if dry_run else csv_files.run_import
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
    if not report.ok:
        raise click.ClickException(
            "rejected lines: nothing was imported. Fix them (or the mapping) and run again."
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
