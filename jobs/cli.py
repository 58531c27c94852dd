"""`advocacy jobs ...`: run the scheduler process, list jobs, run one job now."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from jobs import runner

jobs_group = click.Group("jobs", help="The jobs process (scheduled work).")


@jobs_group.command("run")
@with_appcontext
def run_command() -> None:
    """Run the scheduler until stopped: as leader, or as a standby that takes over if it dies."""
    runner.run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


@jobs_group.command("list")
@with_appcontext
def list_command() -> None:
    """List the scheduled jobs and their triggers."""
    for spec in runner.specs(current_app._get_current_object()):  # type: ignore[attr-defined]
        click.echo(f"{spec.id}\t{spec.trigger}\t{spec.description}")


@jobs_group.command("run-once")
@click.argument("name")
@with_appcontext
def run_once_command(name: str) -> None:
    """Run the job NAME once, now, as the schedule would."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        runner.run_once(app, name)
    except KeyError:
        known = ", ".join(spec.id for spec in runner.specs(app))
        raise click.ClickException(f"no job named {name!r}; jobs: {known}") from None
    click.echo(f"job {name} done")
