"""The right to erasure: one action that removes a person from everything the firm keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from advocacy.adapters.images import PictureStore
from advocacy.domain import erasure as rules
from advocacy.domain.audit import Action
from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_
from advocacy.domain.webhooks import EventType
from advocacy.models import Testimonial, User
from advocacy.repository import audit, erasure, personal_data
from advocacy.repository.journey import get_contact
from advocacy.services.webhooks import events as webhook_events


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing the person behind a contact would change, table by table."""

    person_id: int
    account_id: int  # the contact's account, where the staff member goes back to
    full_name: str
    rows: dict[str, int]  # rows about the person per table
    deleted: tuple[str, ...]  # of those tables, the ones whose rows are deleted
    emails: int  # addresses that end as fingerprints in the suppression list
    published_testimonials: int


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure changed."""

    person_id: int
    touched: dict[str, int]
    suppressions_added: int


def erasure_plan(session: Session, contact_id: int) -> ErasurePlan:
    """What erasing the person behind `contact_id` would do (NotFound for no such contact)."""
    contact = get_contact(session, contact_id)
    person_id = contact.person_id
    found = personal_data.rows_about(session, person_id)
    person = found["people"][0]
    if person["full_name"] == rules.ERASED_NAME:
        raise RuleError(N_("This person has already been erased."))
    rows = {table: len(found_rows) for table, found_rows in found.items()}
    return ErasurePlan(
        person_id=person_id,
        account_id=contact.account_id,
        full_name=str(person["full_name"]),
        rows=rows,
        deleted=tuple(sorted(table for table in rows if table in rules.DELETE)),
        emails=len(_emails(found)),
        published_testimonials=sum(
            1 for row in found.get("testimonials", []) if row["status"] == "published"
        ),
    )


def erase_person(
    session: Session,
    contact_id: int,
    *,
    by: User | None,
    now: datetime,
    pictures: PictureStore | None = None,
    confirm_name: str,
) -> ErasureReport:
    """Erase the person behind `contact_id` everywhere, in one transaction.

    `confirm_name` must repeat the person's name: erasure cannot be undone, so the caller
    proves it is erasing whom it means to.
    """
    plan = erasure_plan(session, contact_id)
    if confirm_name.strip().casefold() != plan.full_name.strip().casefold():
        raise RuleError(
            N_("Type the person's full name, %(name)s, to confirm."), name=plan.full_name
        )
    found = personal_data.rows_about(session, plan.person_id)
    files = [
        row[column]
        for row in found.get("testimonials", [])
        for column in ("photo_path", "logo_path")
        if row[column]
    ]
    emails = _emails(found)
    touched = erasure.erase_rows(session, found, now=now)
    added = erasure.keep_suppressed(session, emails, now=now)
    erasure.redact_webhook_payloads(session, [plan.full_name, *emails])
    # The firm's website and CRM hear that the quotes are gone (the event names nobody).
    for row in found.get("testimonials", []):
        if row["status"] != "withdrawn":
            testimonial = session.get(Testimonial, row["id"], populate_existing=True)
            if testimonial is not None:
                webhook_events.testimonial_changed(
                    session, testimonial, EventType.TESTIMONIAL_WITHDRAWN, now=now
                )
    audit.record(
        session,
        Action.PERSON_ERASED,
        actor=audit.user_actor(by) if by else None,
        subject=("person", plan.person_id),
        details={"tables": len(touched), "rows": sum(touched.values())},
        now=now,
    )
    session.commit()
    # After the commit: a failed erasure must not have removed the pictures of a kept quote.
    if pictures is not None:
        for name in files:
            path = pictures.path_of(name)
            if path is not None:
                Path(path).unlink(missing_ok=True)
    return ErasureReport(plan.person_id, touched, added)


def _emails(found: personal_data.Rows) -> set[str]:
    return {str(row["email"]).strip().lower() for row in found.get("contacts", []) if row["email"]}
