"""Touchpoints: every interaction with an account, who started it, and through which channel."""

from __future__ import annotations

from enum import StrEnum

from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.text import N_


class TouchpointKind(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    SURVEY = "survey"
    TESTIMONIAL = "testimonial"
    REFERRAL = "referral"
    CONTENT = "content"
    PROPOSAL = "proposal"
    PRESS = "press"
    NOTE = "note"


class Initiative(StrEnum):
    CLIENT = "client"  # a question, a visit, a call from them
    FIRM = "firm"  # a check-in, a newsletter, an invitation from us
    EXTERNAL = "external"  # press, a reputation event, an influencer


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    EMAIL = "email"
    WEB = "web"
    EVENT = "event"
    SOCIAL = "social"
    OTHER = "other"


class TouchpointSource(StrEnum):
    MANUAL = "manual"
    IMPORT = "import"
    SYSTEM = "system"


NOT_LOGGED_BY_HAND = N_(
    "This touchpoint was imported or recorded by advocacy; it stays on the timeline."
)
RECORDS_WORK = N_(
    "This touchpoint records a check-in or a survey answer; it stays on the timeline."
)
ONLY_ITS_AUTHOR = N_("Only the person who logged a touchpoint, or an administrator, may remove it.")


def removal_refusal(
    *, source: str, closes_work: bool, logged_by_id: int | None, user_id: int, is_admin: bool
) -> RuleError | None:
    """Why this user may not remove this touchpoint, or None if they may: NotAllowed when someone
    else could (its author, an administrator), a plain RuleError when nobody can.

    Only a touchpoint a person logged by hand can be taken back, by that person or an
    administrator: imported and system ones come from elsewhere (a file, a survey answer, an
    e-mail event), and one that closed a check-in or carries a survey answer is their record.
    """
    if source != TouchpointSource.MANUAL:
        return RuleError(NOT_LOGGED_BY_HAND)
    if closes_work:
        return RuleError(RECORDS_WORK)
    if not is_admin and logged_by_id != user_id:
        return NotAllowed(ONLY_ITS_AUTHOR)
    return None
