"""`advocacy analytics refresh`: store every analytics question's unfiltered answer now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.services.analytics import stored

analytics_group = click.Group("analytics", help="The analytics pages' stored answers.")


@analytics_group.command("refresh")
@with_appcontext
def analytics_refresh() -> None:
    """Compute and store every question's unfiltered answer, in every language."""

    def report(slug: str, locale: str) -> None:
        click.echo(f"analytics: {slug} ({locale}) computed", err=True)

    count = stored.refresh(db_session(), now=utcnow(), progress=report)
    click.echo(f"analytics: {count} answers stored")
