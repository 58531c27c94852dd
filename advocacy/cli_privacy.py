"""`advocacy contacts export|erase EMAIL`: a person's data handed over, or erased for good."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from advocacy.adapters.images import PictureStore
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.errors import NotFound, RuleError
from advocacy.services.privacy import access, erasure

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


@contacts_group.command("erase")
@click.argument("email")
@click.option(
    "--confirm-name",
    help="The person's full name, as the product knows it (asked for when not given).",
)
@with_appcontext
def contacts_erase(email: str, confirm_name: str | None) -> None:
    """Erase whoever has been a contact with EMAIL, everywhere, for good."""
    session = db_session()
    contact_ids = access.contact_ids_by_email(session, email)
    if not contact_ids:
        raise click.ClickException(f"no contact with the e-mail address {email.strip().lower()}")
    try:
        plan = erasure.erasure_plan(session, contact_ids[0])
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(plan.rows.values())
    click.echo(
        f"contacts erase: {plan.full_name} (person {plan.person_id}): {rows} rows in "
        f"{len(plan.rows)} tables; this cannot be undone.",
        err=True,
    )
    name = confirm_name if confirm_name is not None else click.prompt("Type their full name")
    uploads = Path(current_app.config["ADVOCACY"].instance_path) / "uploads"
    try:
        report = erasure.erase_person(
            session,
            contact_ids[0],
            by=None,
            now=utcnow(),
            pictures=PictureStore(uploads),
            confirm_name=name,
        )
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"contacts erase: person {report.person_id} erased; {sum(report.touched.values())} rows "
        f"changed, {report.suppressions_added} addresses kept as fingerprints"
    )
