"""The right to erasure (GDPR Art. 17): what happens to each kind of row about a person.

Rows are not deleted where the firm's figures count them (a touchpoint, a survey's score, an
e-mail sent): they stay, stripped of everything that identifies or quotes the person, so the
analytics stay correct. What exists only to judge the person (scores, awareness) is deleted. The
e-mail address survives only as a fingerprint in the suppression list, so the product never
mails it again and an import cannot bring the person back without anyone noticing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from enum import Enum
from typing import Final

ERASED_NAME: Final = "Erased person"
FINGERPRINT_PREFIX: Final = "erased:"
# The suppression that keeps an erased address from ever being mailed again.
SUPPRESSION_CATEGORY: Final = "all"
SUPPRESSION_REASON: Final = "erased"


class Blank(Enum):
    """What a redacted column becomes."""

    EMPTY = "empty"  # the empty string
    NULL = "null"
    FINGERPRINT = "fingerprint"  # an e-mail address becomes its fingerprint
    NAME = "name"  # ERASED_NAME
    EMPTY_JSON = "empty_json"  # "{}"


# Columns that identify, quote or describe the person, per table.
REDACT: Final[Mapping[str, Mapping[str, Blank]]] = {
    "people": {"full_name": Blank.NAME},
    "contacts": {
        "title": Blank.EMPTY,
        "phone": Blank.EMPTY,
        "email": Blank.NULL,
        "external_id": Blank.NULL,
        "consent_source": Blank.EMPTY,
    },
    "touchpoints": {"summary": Blank.EMPTY, "external_id": Blank.NULL},
    "check_ins": {"notes": Blank.EMPTY, "next_step": Blank.EMPTY},
    "journey_signals": {"message": Blank.EMPTY},
    "surveys": {"comment": Blank.EMPTY},
    "testimonials": {
        "body": Blank.EMPTY,
        "body_html": Blank.EMPTY,
        "proposed_body": Blank.EMPTY,
        "display_name": Blank.EMPTY,
        "display_title": Blank.EMPTY,
        "display_company": Blank.EMPTY,
        "logo_path": Blank.EMPTY,
        "photo_path": Blank.EMPTY,
        "outcomes": Blank.EMPTY,
    },
    "referrals": {
        "note": Blank.EMPTY,
        "thank_you_note": Blank.EMPTY,
        "lost_reason": Blank.EMPTY,
    },
    "reference_calls": {"decline_reason": Blank.EMPTY, "outcome": Blank.EMPTY},
    "outbox_messages": {
        "to_email": Blank.FINGERPRINT,
        "to_name": Blank.EMPTY,
        "subject": Blank.EMPTY,
        "html_body": Blank.EMPTY,
        "text_body": Blank.EMPTY,
        "headers_json": Blank.EMPTY_JSON,
        "error": Blank.EMPTY,
    },
    "mail_events": {"email": Blank.FINGERPRINT, "payload_json": Blank.EMPTY_JSON},
    "suppressions": {"email": Blank.FINGERPRINT, "source": Blank.EMPTY},
    "consent_changes": {"email": Blank.FINGERPRINT, "detail": Blank.EMPTY},
    "client_links": {"email": Blank.FINGERPRINT},
    "nurture_step_records": {"held_detail": Blank.EMPTY},
}

# A referral names the prospect too: when the erased person is the prospect, these go as well.
REFERRED_PERSON: Final[Mapping[str, Blank]] = {
    "name": Blank.EMPTY,
    "email": Blank.NULL,
    "company": Blank.EMPTY,
}

# Rows that exist only to judge or place the person: deleted.
DELETE: Final = frozenset(
    {"contact_scores", "score_snapshots", "contact_line_awareness", "collection_items"}
)


def fingerprint(address: str) -> str:
    """An e-mail address as the one-way value kept after erasure (same address, same value)."""
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    return f"{FINGERPRINT_PREFIX}{digest}"


def blanked(blank: Blank, current: object) -> object:
    """The value a redacted column takes."""
    if blank is Blank.FINGERPRINT:
        text = str(current or "")
        return text if not text or text.startswith(FINGERPRINT_PREFIX) else fingerprint(text)
    return {
        Blank.EMPTY: "",
        Blank.NULL: None,
        Blank.NAME: ERASED_NAME,
        Blank.EMPTY_JSON: "{}",
    }[blank]
