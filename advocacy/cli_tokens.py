"""`advocacy tokens`: issue, list and revoke API bearer tokens. The secret is printed only once."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.errors import NotFound
from advocacy.repository import staff
from advocacy.services.access import tokens

tokens_group = click.Group("tokens", help="API bearer tokens.")


def _user_id(email: str) -> int:
    user = staff.user_by_email(db_session(), email.strip().lower())
    if user is None or user.id is None:
        raise click.ClickException(f"no user with the e-mail {email}")
    return user.id


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@tokens_group.command("create")
@click.option("--user", "email", required=True, help="E-mail of the user the token acts as.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([scope.value for scope in tokens.Scope]),
    help="read and/or write (repeat the option; write includes read), or publish alone: a "
    "token for the website that reads only what clients allowed to be published.",
)
@click.option("--name", default="", help="What the token is for, to tell tokens apart.")
@click.option("--expires-days", type=int, default=None, help="Expire after N days (1-3650).")
@with_appcontext
def tokens_create(email: str, scopes: tuple[str, ...], name: str, expires_days: int | None) -> None:
    """Create a token acting as a user; its secret is shown once and never stored."""
    try:
        issued = tokens.create_token(
            db_session(),
            _user_id(email),
            scopes,
            now=utcnow(),
            name=name,
            expires_days=expires_days,
        )
    except (tokens.TokenError, NotFound) as error:
        raise click.ClickException(str(error)) from None
    token = issued.token
    click.echo(f"Created token {token.prefix} ({token.scopes}) for {email}.", err=True)
    click.echo(f"Expires: {_when(token.expires_at)}. The secret is shown only now:", err=True)
    # The secret alone on standard output, so `TOKEN=$(advocacy tokens create ...)` works.
    click.echo(issued.secret)


@tokens_group.command("list")
@click.option("--user", "email", default=None, help="Only this user's tokens.")
@with_appcontext
def tokens_list(email: str | None) -> None:
    """List tokens (prefixes only: secrets are never stored)."""
    user_id = _user_id(email) if email else None
    now = utcnow()
    click.echo("prefix\tuser\tscopes\tname\tcreated\texpires\tlast used\tstate")
    for token, user in tokens.list_tokens(db_session(), user_id=user_id):
        if token.revoked_at:
            state = "revoked"
        elif token.expires_at and token.expires_at <= now:
            state = "expired"
        elif not user.active:
            state = "user deactivated"
        else:
            state = "active"
        click.echo(
            "\t".join(
                [
                    token.prefix,
                    user.email,
                    token.scopes,
                    token.name or "-",
                    _when(token.created_at),
                    _when(token.expires_at),
                    _when(token.last_used_at),
                    state,
                ]
            )
        )


@tokens_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def tokens_revoke(prefix: str) -> None:
    """Revoke the token shown with PREFIX; it stops working at once."""
    try:
        token = tokens.revoke_token(db_session(), prefix, now=utcnow())
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked token {token.prefix}.")
