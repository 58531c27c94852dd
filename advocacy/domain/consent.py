"""What an address may receive: suppressions as data, and how withdrawals and consents change them.

An address's suppressions are a mapping category -> reason ("all" covers every client-facing
category). Rules, in one place so the webhook, the unsubscribe link and the preference page agree:

- Withdrawal wins immediately and is never lost: a withdrawal only ever adds a suppression or makes
  an existing one stronger (REASON_STRENGTH), and only the client's own later consent lifts it.
- The client can lift only what the client asked for (reason "unsubscribe"). Bounces, invalid
  addresses and spam reports are never lifted by a link; staff can lift only their own "manual" rows.
- A manual block that a client's unsubscribe overlays becomes an unsubscribe: staff removing it
  later could otherwise undo the client's choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from advocacy.domain.mail import ALL, CLIENT_FACING, Category, suppressed_for


class Reason(StrEnum):
    MANUAL = "manual"  # staff
    UNSUBSCRIBE = "unsubscribe"  # the client: link, preference page, SendGrid's own pages
    SPAMREPORT = "spamreport"  # the client pressed "spam": never mailed again by a link
    DROPPED = "dropped"  # SendGrid refused the address as invalid
    BOUNCE = "bounce"  # the address does not exist: no mail at all, transactional included


REASON_STRENGTH: Final[Mapping[str, int]] = {
    Reason.MANUAL: 1,
    Reason.UNSUBSCRIBE: 2,
    Reason.SPAMREPORT: 3,
    Reason.DROPPED: 4,
    Reason.BOUNCE: 5,
}
LIFTABLE_BY_CLIENT: Final = frozenset({Reason.UNSUBSCRIBE.value})
LIFTABLE_BY_STAFF: Final = frozenset({Reason.MANUAL.value})

Blocks = Mapping[str, str]  # category (or "all") -> reason


def markers(blocks: Blocks) -> set[str]:
    """The set `suppressed_for` reads: categories, plus "bounce" when any row is a bounce."""
    found = set(blocks)
    if Reason.BOUNCE.value in blocks.values():
        found.add("bounce")
    return found


def allowed_categories(blocks: Blocks) -> frozenset[Category]:
    """Client-facing categories this address may still receive."""
    found = markers(blocks)
    return frozenset(c for c in CLIENT_FACING if not suppressed_for(c, found))


def _stronger(reason: str, than: str | None) -> bool:
    return than is None or REASON_STRENGTH.get(reason, 0) > REASON_STRENGTH.get(than, 0)


def withdraw(blocks: Blocks, category: str, reason: str) -> dict[str, str]:
    """Suppressions after a withdrawal (or bounce...) of `category` ("all" for every one)."""
    after = dict(blocks)
    if _stronger(reason, after.get(category)):
        after[category] = reason
    return after


def choose(blocks: Blocks, wanted: Iterable[Category]) -> dict[str, str]:
    """Suppressions after the client says which client-facing categories they want.

    Unticked categories are withdrawn; ticked ones are lifted where the client's own earlier
    unsubscribe was the only thing in the way. What stronger reasons block stays blocked.
    """
    wanted = frozenset(wanted) & CLIENT_FACING
    after = dict(blocks)
    if wanted and after.get(ALL) in LIFTABLE_BY_CLIENT:
        # "Unsubscribed from all" becomes one unsubscribe per category not ticked.
        del after[ALL]
    for category in CLIENT_FACING:
        if category in wanted:
            if after.get(category.value) in LIFTABLE_BY_CLIENT:
                del after[category.value]
        elif not _covers_all(after) and _stronger(Reason.UNSUBSCRIBE, after.get(category.value)):
            after[category.value] = Reason.UNSUBSCRIBE.value
    return after


def _covers_all(blocks: Blocks) -> bool:
    """An "all" row at least as strong as an unsubscribe already records the withdrawal."""
    reason = blocks.get(ALL)
    return reason is not None and not _stronger(Reason.UNSUBSCRIBE, reason)


def resubscribe(blocks: Blocks, category: Category) -> dict[str, str]:
    """Suppressions after the client asks for `category` again (everything else unchanged)."""
    after = dict(blocks)
    if after.get(ALL) in LIFTABLE_BY_CLIENT:
        # They had withdrawn everything: the other categories stay withdrawn, one row each.
        del after[ALL]
        for other in CLIENT_FACING - {category}:
            if _stronger(Reason.UNSUBSCRIBE, after.get(other.value)):
                after[other.value] = Reason.UNSUBSCRIBE.value
    if after.get(category.value) in LIFTABLE_BY_CLIENT:
        del after[category.value]
    return after


def lift_manual(blocks: Blocks, category: str) -> dict[str, str]:
    """Suppressions after staff remove their own manual block (nothing else can be removed)."""
    after = dict(blocks)
    if after.get(category) in LIFTABLE_BY_STAFF:
        del after[category]
    return after


@dataclass(frozen=True)
class BlockChanges:
    """Rows to write (new or stronger) and rows to delete, and what changed for the client."""

    upsert: dict[str, str]
    remove: frozenset[str]
    withdrawn: frozenset[Category]
    restored: frozenset[Category]

    @property
    def empty(self) -> bool:
        return not self.upsert and not self.remove


def changes(before: Blocks, after: Blocks) -> BlockChanges:
    """The difference between two states, as rows and as categories gained or lost."""
    allowed_before, allowed_after = allowed_categories(before), allowed_categories(after)
    return BlockChanges(
        upsert={k: v for k, v in after.items() if before.get(k) != v},
        remove=frozenset(k for k in before if k not in after),
        withdrawn=allowed_before - allowed_after,
        restored=allowed_after - allowed_before,
    )
