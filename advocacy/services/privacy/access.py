"""The right of access: everything held about a person, as one document (JSON) and a summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from advocacy.domain import personal_data as rules
from advocacy.domain.audit import Action
from advocacy.domain.errors import NotFound
from advocacy.models import User
from advocacy.repository import audit, personal_data
from advocacy.repository.journey import get_contact


@dataclass(frozen=True)
class Section:
    """One table's rows about the person, with the columns an export shows."""

    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class PersonalData:
    """What the product holds about one person, across every employer they had."""

    person_id: int
    full_name: str
    exported_at: datetime
    sections: tuple[Section, ...]

    def as_json(self) -> dict[str, Any]:
        """The document handed to the person: one object per row, grouped by table."""
        return {
            "format": rules.EXPORT_FORMAT,
            "exported_at": self.exported_at.isoformat(),
            "person_id": self.person_id,
            "full_name": self.full_name,
            "records": {
                section.table: [
                    dict(zip(section.columns, row, strict=True)) for row in section.rows
                ]
                for section in self.sections
            },
        }

    def rows_in(self, table: str) -> int:
        """How many rows of `table` the document holds."""
        return next((len(s.rows) for s in self.sections if s.table == table), 0)


def personal_data_of(session: Session, person_id: int, *, now: datetime) -> PersonalData:
    """Everything held about the person `person_id`, or NotFound."""
    found = personal_data.rows_about(session, person_id)
    if not found:
        raise NotFound(f"person {person_id} not found")
    sections = []
    for table, rows in found.items():
        columns = rules.shown_columns(table, list(rows[0]))
        sections.append(
            Section(
                table,
                tuple(columns),
                tuple(tuple(rules.plain(row[column]) for column in columns) for row in rows),
            )
        )
    person = found[rules.PERSON_TABLE][0]
    return PersonalData(person_id, str(person["full_name"]), now, tuple(sections))


def personal_data_of_contact(
    session: Session, contact_id: int, *, by: User | None, shown_as: str, now: datetime
) -> PersonalData:
    """Everything held about the person behind `contact_id` (NotFound), noted in the audit log."""
    data = personal_data_of(session, get_contact(session, contact_id).person_id, now=now)
    _note_export(session, data, by=by, shown_as=shown_as, now=now)
    session.commit()
    return data


def contact_ids_by_email(session: Session, email: str) -> list[int]:
    """The contacts that have this e-mail address, whatever its case."""
    return personal_data.contact_ids_by_email(session, email)


def personal_data_by_email(session: Session, email: str, *, now: datetime) -> list[PersonalData]:
    """Everything held about whoever had this address (NotFound if nobody), noted in the log."""
    people = personal_data.person_ids_by_email(session, email)
    if not people:
        raise NotFound(f"no contact with the e-mail address {rules.normalised_email(email)}")
    found = [personal_data_of(session, person_id, now=now) for person_id in people]
    for data in found:
        _note_export(session, data, by=None, shown_as="json", now=now)
    session.commit()
    return found


def _note_export(
    session: Session, data: PersonalData, *, by: User | None, shown_as: str, now: datetime
) -> None:
    audit.record(
        session,
        Action.PERSON_EXPORTED,
        actor=audit.user_actor(by) if by else None,
        subject=("person", data.person_id),
        details={
            "tables": len(data.sections),
            "rows": sum(len(section.rows) for section in data.sections),
            "format": shown_as,
        },
        now=now,
    )
