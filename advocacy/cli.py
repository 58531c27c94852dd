"""The `advocacy` command: the app's Flask CLI group. Each command parses, calls one service, reports."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from advocacy import audit_context, migrate
from advocacy.clock import utcnow
from advocacy.db import db_session, engine
from advocacy.demo import loader
from advocacy.domain.audit import command_line_actor
from advocacy.domain.identity import IdentityError, Role
from advocacy.models.fields import saved_id
from advocacy.services.access import identity
from advocacy.services.nurture import awareness
from advocacy.services.nurture.run import run_campaigns
from advocacy.services.scoring import history, recompute
from advocacy.settings import SettingsError, database_url


def _make_app() -> Flask:
    from advocacy.app import create_app

    try:
        return create_app()
    except SettingsError as error:
        click.echo(f"advocacy: cannot start, bad setting: {error}", err=True)
        sys.exit(2)


def main() -> None:
    """Console script entry point."""
    cli = FlaskGroup(
        name="advocacy",
        create_app=_make_app,
        add_version_option=False,
        load_dotenv=False,
        help="advocacy: keep professional-services clients after the sale.",
    )
    # The audit log names the command (its words, never its values: those may be addresses).
    words = [word for word in sys.argv[1:3] if word.replace("-", "").isalpha()]
    audit_context.begin(actor=command_line_actor(" ".join(["advocacy", *words])))
    cli.main(prog_name="advocacy")


def _url() -> str:
    return database_url(current_app.config["ADVOCACY"])


# --- advocacy db ------------------------------------------------------------------------------

db_group = click.Group("db", help="Database migrations.")


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations (to the newest by default)."""
    migrate.upgrade(_url(), revision)
    click.echo(f"Database at revision {migrate.current_revision(engine())}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (use 'base' for an empty database)."""
    migrate.downgrade(_url(), revision)
    click.echo(f"Database at revision {migrate.current_revision(engine())}.")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.autogenerate(_url(), message)


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revision the database is at, and the newest one."""
    click.echo(f"current: {migrate.current_revision(engine())}")
    click.echo(f"head:    {', '.join(migrate.head_revisions(_url()))}")


# --- advocacy users ---------------------------------------------------------------------------

users_group = click.Group("users", help="Staff users.")


def _read_password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("--password-stdin was given but standard input held no password")
    return password


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff user; without a password they sign in through an invitation or OIDC."""
    try:
        user = identity.create_user(
            db_session(),
            email,
            role,
            password=_read_password(password_stdin),
            now=utcnow(),
            name=name,
        )
    except IdentityError as error:
        raise click.ClickException(str(error)) from None
    how = "with a password" if user.password_hash else "without a password (invited)"
    click.echo(f"Created {user.email} ({user.role}) {how}.")


@users_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, required=True, help="Read it from standard input.")
@with_appcontext
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a user's password (for a lost admin password) and end their sessions."""
    from advocacy.repository import staff

    user = staff.user_by_email(db_session(), email.strip().lower())
    if user is None:
        raise click.ClickException(f"no user with the e-mail {email}")
    try:
        identity.set_password(db_session(), saved_id(user), _read_password(password_stdin) or "")
    except IdentityError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Password set for {user.email}.")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List staff users."""
    from advocacy.repository import staff

    for user in staff.list_users(db_session()):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role}\t{state}")


# --- demo, first run, serve -------------------------------------------------------------------


@click.command("demo")
@click.option("--size", type=click.Choice(loader.SIZES), default="small", show_default=True)
@click.option(
    "--seed", type=int, default=loader.DEFAULT_SEED, show_default=True, help="Same seed, same firm."
)
@with_appcontext
def demo_command(size: str, seed: int) -> None:
    """Load the demo firm; running it again adds nothing twice."""
    progress = ProgressBar("demo: building the firm")
    try:
        report = loader.load_demo(
            db_session(), size=size, now=utcnow(), seed=seed, progress=progress.update
        )
    finally:
        progress.close()
    _print_demo(report)


class ProgressBar:
    """A progress bar on stderr, opened at the first report (a second run reports nothing)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _print_demo(report: loader.DemoReport) -> None:
    for kind, count in sorted(report.created.items()):
        click.echo(f"demo: {count} {kind} created")
    for kind, count in sorted(report.skipped.items()):
        click.echo(f"demo: {count} {kind} already there")


awareness_group = click.Group("awareness", help="What each client knows the firm for.")


@awareness_group.command("rebuild")
@with_appcontext
def awareness_rebuild() -> None:
    """Recompute every contact's and account's service-line awareness from the evidence."""
    click.echo("awareness: rebuilding from engagements, touchpoints and mail events...", err=True)
    done = awareness.rebuild_awareness(db_session(), now=utcnow())
    click.echo(
        f"awareness: {done.contact_records} contact records, {done.account_records} account "
        f"records rebuilt in {done.seconds:.1f} s"
    )


nurture_group = click.Group("nurture", help="Nurture campaigns.")


@nurture_group.command("run")
@click.option("--dry-run", is_flag=True, help="Plan and report; write and send nothing.")
@with_appcontext
def nurture_run(dry_run: bool) -> None:
    """Plan and carry out every active campaign now (what the jobs process does on a schedule)."""
    settings = current_app.config["ADVOCACY"]
    progress = ProgressBar("nurture")
    try:
        summary = run_campaigns(
            db_session(), now=utcnow(), settings=settings, progress=progress.update, dry_run=dry_run
        )
    finally:
        progress.close()
    verb = "would be" if dry_run else "were"
    click.echo(
        f"nurture: {summary.campaigns} active campaigns; {summary.enrolled} contacts enrolled, "
        f"{summary.done} steps {verb} carried out, {summary.held} held back, "
        f"{summary.stopped} stopped"
    )


scores_group = click.Group("scores", help="Advocacy potential scores.")


@scores_group.command("recompute")
@with_appcontext
def scores_recompute() -> None:
    """Recompute every contact's advocacy score, tier and next best ask, with a progress bar."""
    progress = ProgressBar("scores: recomputing")
    settings = current_app.config["ADVOCACY"]
    try:
        scored = recompute.recompute_all(
            db_session(), now=utcnow(), rules=recompute.rules_of(settings), progress=progress.update
        )
    finally:
        progress.close()
    click.echo(f"scores: {scored} contacts scored")


@scores_group.command("replay")
@click.option("--quarters", default=8, show_default=True, type=click.IntRange(1, 40))
@with_appcontext
def scores_replay(quarters: int) -> None:
    """Snapshot the scores as they were at the start of each past quarter (calibration report)."""
    progress = ProgressBar("scores: replaying")
    now = utcnow()
    moments = [now - timedelta(days=91 * n) for n in range(quarters, 0, -1)]
    try:
        written = history.replay_history(
            db_session(),
            moments,
            rules=recompute.rules_of(current_app.config["ADVOCACY"]),
            progress=progress.update,
        )
    finally:
        progress.close()
    click.echo(f"scores: {written} snapshots over {quarters} past quarters")


@click.command("first-run")
@click.option("--admin-email", default="admin@example.com", show_default=True)
@with_appcontext
def first_run_command(admin_email: str) -> None:
    """On an empty database, create the first administrator and the demo firm."""
    try:
        result = loader.first_run(db_session(), admin_email, now=utcnow())
    except IdentityError as error:
        raise click.ClickException(str(error)) from None
    if result.admin_password is None:
        click.echo(f"Existing data kept. Administrator: {result.admin_email or '(none active)'}")
        click.echo("Lost the password? advocacy users set-password EMAIL --password-stdin")
        return
    if result.demo:
        _print_demo(result.demo)
    click.echo("")
    click.echo("  First administrator created; this password is shown only once:")
    click.echo(f"    e-mail:   {result.admin_email}")
    click.echo(f"    password: {result.admin_password}")
    click.echo("")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-jobs", is_flag=True, help="Do not start the jobs process beside the server.")
@with_appcontext
def serve_command(host: str, port: int, threads: int, no_jobs: bool) -> None:
    """Serve the web app with gunicorn and run the jobs process beside it (one machine)."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs = None
    if not no_jobs:
        # A separate process, as in production: the scheduler must never run inside web workers.
        jobs = subprocess.Popen([sys.executable, "-m", "advocacy", "jobs", "run"])

    class _Server(BaseApplication):
        def load_config(self) -> None:
            # One worker with threads: rate-limit counters in memory:// stay in one process.
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 27+: no socket in $HOME
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return app

    click.echo(f"advocacy: serving http://{host}:{port} (Ctrl-C stops the server and the jobs)")
    try:
        _Server().run()
    finally:
        if jobs is not None and jobs.poll() is None:
            jobs.send_signal(signal.SIGTERM)
            try:
                jobs.wait(timeout=15)
            except subprocess.TimeoutExpired:
                jobs.kill()


def register_commands(app: Flask) -> None:
    """Attach the product's commands to the app's CLI group (jobs come from the jobs package)."""
    from advocacy.cli_analytics import analytics_group
    from advocacy.cli_backups import backup_command, restore_command
    from advocacy.cli_imports import export_command, import_command
    from advocacy.cli_privacy import contacts_group
    from advocacy.cli_tokens import tokens_group

    for command in (
        db_group,
        users_group,
        awareness_group,
        nurture_group,
        scores_group,
        demo_command,
        first_run_command,
        serve_command,
    ):
        app.cli.add_command(command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(tokens_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(contacts_group)
    app.cli.add_command(analytics_group)
