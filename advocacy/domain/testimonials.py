"""Testimonial rules: the workflow, the uses a client allowed (and for how long), the limited
Markdown a client may write, and the difference shown when the firm edits what they wrote.

Consent is per use and may expire; withdrawn or expired counts as never given. Every later
surface (website widgets, proposals, reference matching) asks `allowed_uses` or `usable_uses`.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_

MAX_BODY_LENGTH: Final = 3000
MAX_DISPLAY_LENGTH: Final = 200
MAX_OUTCOMES_LENGTH: Final = 500
MAX_REASON_LENGTH: Final = 500


class Status(StrEnum):
    AWAITING_CLIENT = "awaiting_client"  # entered by staff from an interview
    SUBMITTED = "submitted"  # written or approved by the client
    AWAITING_REAPPROVAL = "awaiting_reapproval"  # the firm edited it; the client must agree
    APPROVED = "approved"  # by marketing
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Use(StrEnum):
    INTERNAL = "internal"
    ANONYMISED_PUBLIC = "anonymised_public"
    NAMED_PUBLIC = "named_public"
    LOGO = "logo"
    CASE_STUDY = "case_study"
    REFERENCE_CALLS = "reference_calls"


# The wording the client reads next to each checkbox; the consent record keeps it as shown.
USE_WORDING: Final[Mapping[Use, str]] = {
    Use.INTERNAL: N_("You may share it inside the firm only."),
    Use.ANONYMISED_PUBLIC: N_(
        "You may publish it without my name, described by my role and sector "
        "(for example: CFO, industrial group)."
    ),
    Use.NAMED_PUBLIC: N_("You may publish it with my name, title and company."),
    Use.LOGO: N_("You may show my company's logo next to it."),
    Use.CASE_STUDY: N_("You may contact me about a case study based on our work."),
    Use.REFERENCE_CALLS: N_("You may ask me to speak with a prospective client."),
}

_CLOSED: Final = frozenset({Status.WITHDRAWN, Status.EXPIRED})
TRANSITIONS: Final[Mapping[Status, frozenset[Status]]] = {
    Status.AWAITING_CLIENT: frozenset({Status.SUBMITTED, Status.WITHDRAWN, Status.EXPIRED}),
    Status.SUBMITTED: frozenset(
        {Status.APPROVED, Status.AWAITING_REAPPROVAL, Status.WITHDRAWN, Status.EXPIRED}
    ),
    # The client accepts (back to where it stood) or rejects the edit (the old text stands).
    Status.AWAITING_REAPPROVAL: frozenset(
        {Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED, Status.WITHDRAWN, Status.EXPIRED}
    ),
    Status.APPROVED: frozenset(
        {Status.PUBLISHED, Status.AWAITING_REAPPROVAL, Status.WITHDRAWN, Status.EXPIRED}
    ),
    Status.PUBLISHED: frozenset({Status.AWAITING_REAPPROVAL, Status.WITHDRAWN, Status.EXPIRED}),
    Status.WITHDRAWN: frozenset(),
    Status.EXPIRED: frozenset(),
}
# Only these may appear anywhere; before approval a testimonial is the firm's draft.
USABLE: Final = frozenset({Status.APPROVED, Status.PUBLISHED})
# The firm may edit what the client already agreed to (the client then re-approves).
EDITABLE: Final = frozenset({Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED})


def can_move(old: Status, new: Status) -> bool:
    """Whether the testimonial workflow allows `old` → `new`."""
    return new in TRANSITIONS[old]


def check_move(old: str, new: Status) -> None:
    """Refuse a move the workflow does not allow, with a message for the person who asked."""
    if not can_move(Status(old), new):
        raise RuleError(N_("This testimonial cannot be changed that way in its current state."))


def status_after_reapproval(*, approved_before: bool, published_before: bool) -> Status:
    """Where an edited testimonial returns once the client answered: where it stood before."""
    if published_before:
        return Status.PUBLISHED
    return Status.APPROVED if approved_before else Status.SUBMITTED


@dataclass(frozen=True)
class Permission:
    """One use as stored: when it ends (inclusive) and whether the client took it back."""

    use: Use
    expires_on: date | None = None
    withdrawn: bool = False

    def live_on(self, today: date) -> bool:
        return not self.withdrawn and (self.expires_on is None or today <= self.expires_on)


def permission_state(permission: Permission, today: date) -> str:
    """How a permission stands today, for people: live, withdrawn or expired."""
    if permission.withdrawn:
        return "withdrawn"
    return "live" if permission.live_on(today) else "expired"


def allowed_uses(permissions: Iterable[Permission], today: date) -> frozenset[Use]:
    """The uses allowed today: a withdrawn or expired permission counts as never given."""
    return frozenset(p.use for p in permissions if p.live_on(today))


def usable_uses(status: str, permissions: Iterable[Permission], today: date) -> frozenset[Use]:
    """What a surface may do with the testimonial today: nothing unless approved or published."""
    if Status(status) not in USABLE:
        return frozenset()
    return allowed_uses(permissions, today)


def newly_expired(permissions: Iterable[Permission], today: date) -> list[Use]:
    """Permissions whose last day has passed and that the client did not take back first."""
    return [
        p.use
        for p in permissions
        if not p.withdrawn and p.expires_on is not None and p.expires_on < today
    ]


def expires_as_a_whole(status: str, permissions: Iterable[Permission], today: date) -> bool:
    """An open testimonial expires once every use it had has run out (none was withdrawn)."""
    if Status(status) in _CLOSED or Status(status) is Status.AWAITING_CLIENT:
        return False
    given = list(permissions)
    return bool(given) and not allowed_uses(given, today) and not any(p.withdrawn for p in given)


def check_expiry(expires_on: date | None, today: date) -> None:
    """An expiry date must leave the permission at least a day to live."""
    if expires_on is not None and expires_on <= today:
        raise RuleError(N_("An expiry date must be in the future."))


def check_rating(rating: int | None) -> None:
    if rating is not None and not 1 <= rating <= 5:
        raise RuleError(N_("Choose a rating from 1 to 5."))


def check_body(body: str) -> str:
    """The text without surrounding blanks; refused when empty or too long."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise RuleError(N_("Write a few words: the testimonial is empty."))
    if len(text) > MAX_BODY_LENGTH:
        raise RuleError(
            N_("The testimonial is too long (at most %(n)d characters)."), n=MAX_BODY_LENGTH
        )
    return text


def outcome_tags(text: str) -> list[str]:
    """Free outcome tags from a comma-separated line: trimmed, deduplicated, in order."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        tag = " ".join(part.split())[:60]
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return list(seen.values())


_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")


def plain_quote(body: str) -> str:
    """The quote as plain text for a slide, a CSV cell or a list: the emphasis marks taken off."""
    return _EM.sub(r"\2", _STRONG.sub(r"\1", body.strip()))


_TOKENS = re.compile(r"\s+|[^\s]+")


def diff_html(old: str, new: str) -> str:
    """The firm's edit word by word: removed words in <del>, added ones in <ins>, all escaped.

    The client reads words, not Markdown: emphasis marks are taken off both versions first, so
    a `**` never shows up in the difference as if it were a word.
    """
    before, after = _TOKENS.findall(plain_quote(old)), _TOKENS.findall(plain_quote(new))
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed = html.escape("".join(before[a1:a2]))
        added = html.escape("".join(after[b1:b2]))
        if op == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    return "".join(parts)
