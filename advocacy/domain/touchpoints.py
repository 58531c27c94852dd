"""Touchpoints: every interaction with an account, who started it, and through which channel."""

from __future__ import annotations

from enum import StrEnum


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
