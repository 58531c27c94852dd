"""`advocacy backup FILE` and `advocacy restore FILE`: a SQLite database to a file and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from advocacy.cli import ProgressBar
from advocacy.db import engine
from advocacy.domain.errors import RuleError
from advocacy.services.operations import backups
from advocacy.settings import database_url


def _summary(report: backups.BackupReport) -> str:
    rows = sum(report.rows.values())
    return (
        f"{report.path}: {report.size_bytes:,} bytes, {len(report.rows)} tables, {rows:,} rows, "
        f"migration revision {report.revision or 'none'}"
    )


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Copy the live SQLite database into a new FILE while the app keeps running."""
    pages = ProgressBar("backup: copying pages")
    try:
        report = backups.back_up(engine(), file, progress=pages.update)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    finally:
        pages.close()
    click.echo(f"backup: {_summary(report)}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load a backup FILE into this empty database and migrate it to this version."""
    pages = ProgressBar("restore: copying pages")
    url = database_url(current_app.config["ADVOCACY"])
    try:
        report = backups.restore(engine(), url, file, progress=pages.update)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    finally:
        pages.close()
    click.echo(f"restore: {_summary(report)}")
