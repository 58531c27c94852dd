"""`advocacy contacts export EMAIL`: everything held about a person, as the JSON document."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.errors import NotFound
from advocacy.services.privacy import access

contacts_group = click.Group("contacts", help="A contact's data rights.")


@contacts_group.command("export")
@click.argument("email")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the document to this file instead of the standard output.",
)
@with_appcontext
def contacts_export(email: str, output: Path | None) -> None:
    """Everything held about whoever has been a contact with EMAIL, as one JSON document."""
    try:
        found = access.personal_data_by_email(db_session(), email, now=utcnow())
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    # Usually one person; an address shared by two people (a team mailbox) gives one each.
    documents = [data.as_json() for data in found]
    body = json.dumps(
        documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=2
    )
    if output is None:
        click.echo(body)
    else:
        output.write_text(body + "\n", encoding="utf-8")
    for data in found:
        rows = sum(len(section.rows) for section in data.sections)
        click.echo(
            f"contacts export: {data.full_name} (person {data.person_id}): {rows} rows from "
            f"{len(data.sections)} tables" + (f", written to {output}" if output else ""),
            err=True,
        )
