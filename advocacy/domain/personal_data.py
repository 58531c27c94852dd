"""What counts as a person's data, for their right of access (GDPR Art. 15) and later erasure.

A person is one `people` row and every contact they have been, at every employer. Their data is
every row that points at one of those contacts, the rows that exist only as part of such a row
(a testimonial's permissions, an e-mail's delivery events), and the rows kept by e-mail address
(suppressions, consent changes, mail sent to the address). Tables are found from the schema's
foreign keys, so a table added later that points at contacts is included without a change here;
what needs naming is only what the schema cannot say.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Final

EXPORT_FORMAT: Final = "advocacy.personal-data/1"

PERSON_TABLE: Final = "people"
CONTACT_TABLE: Final = "contacts"

# Rows that belong to a personal row of another table: (foreign key column, that table).
PARTS: Final[Mapping[str, tuple[str, str]]] = {
    "testimonial_permissions": ("testimonial_id", "testimonials"),
    "testimonial_service_lines": ("testimonial_id", "testimonials"),
    "collection_items": ("testimonial_id", "testimonials"),
    "mail_events": ("message_id", "outbox_messages"),
    "nurture_step_records": ("enrolment_id", "nurture_enrolments"),
}

# Rows found by the person's e-mail addresses (they may predate the contact, or outlive it).
BY_EMAIL: Final[Mapping[str, str]] = {
    "suppressions": "email",
    "consent_changes": "email",
    "outbox_messages": "to_email",
    "client_links": "email",
}

# Never handed out, even to the person: secrets and machinery, not information about them. An
# e-mail's HTML is the same message as its text, which is exported.
WITHHELD: Final[Mapping[str, frozenset[str]]] = {
    "client_links": frozenset({"token_hash"}),
    "outbox_messages": frozenset({"html_body", "lease_owner", "lease_expires_at"}),
}


def shown_columns(table: str, columns: list[str]) -> list[str]:
    """The columns of `table` that an export shows, in the table's order."""
    hidden = WITHHELD.get(table, frozenset())
    return [column for column in columns if column not in hidden]


def normalised_email(address: str) -> str:
    """E-mail addresses compare without case or surrounding spaces."""
    return address.strip().lower()


def plain(value: object) -> object:
    """A stored value as JSON can carry it: dates and times in ISO 8601, the rest unchanged."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value
