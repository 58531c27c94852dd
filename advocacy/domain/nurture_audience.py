"""Who a nurture campaign reaches, who may enter it (again), and when a contact leaves it.

Facts come in as plain values gathered in bulk by the caller (`repository.nurture_facts`); `now`
comes in as an argument. The rules, in words, are in docs/nurture.md ("Enrolment and stop rules").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from advocacy.domain.campaigns import EnrolmentStatus, Segment, StopReason
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.mail import Category, suppressed_for
from advocacy.domain.people import ContactStatus

# Someone a person took out, or who unsubscribed, never comes back into the same campaign by
# itself, whatever its re-entry rule: that was a decision, not a circumstance.
NEVER_AGAIN: Final = frozenset({StopReason.REMOVED, StopReason.UNSUBSCRIBED})
# A detractor survey answer this recent keeps a contact out (the ask rule's quarter).
DETRACTOR_DAYS: Final = 90


@dataclass(frozen=True, slots=True)
class Audience:
    """What segment matching and the stop rules need to know about one contact."""

    contact_id: int
    account_id: int
    stage: str
    camp: str = Camp.UNKNOWN.value
    industry: str = ""
    owner_id: int | None = None
    status: ContactStatus = ContactStatus.ACTIVE
    seniority: str = ""
    roles: frozenset[str] = frozenset()
    bought_line_ids: frozenset[int] = frozenset()  # what the account bought
    typecasting_index: float | None = None
    advocacy_tier: str = ""
    last_human_touch_at: datetime | None = None  # the last call or meeting with the account
    deferred_prospect: bool = False  # a prospect whose proposal was "not now"
    # Evidence for the stop rules.
    suppressed: frozenset[str] = frozenset()  # categories (and "bounce") of the address
    objected: bool = False  # withdrew consent (and did not give it again)
    last_client_touch_at: datetime | None = None  # the contact reached out or replied
    hired_again_at: datetime | None = None  # the account last became active (an engagement)
    open_detractor_signal: bool = False
    detractor_answer_at: datetime | None = None  # the last detractor survey answer


@dataclass(frozen=True, slots=True)
class EnrolmentState:
    """The contact's latest enrolment in one campaign."""

    occurrence: int
    status: EnrolmentStatus
    enrolled_at: datetime
    next_position: int | None = None
    next_due_at: datetime | None = None
    stop_reason: StopReason | None = None
    ended_at: datetime | None = None


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _any_of(wanted: Collection[str], value: str) -> bool:
    return not wanted or value in wanted


def _stage_matches(segment: Segment, facts: Audience) -> bool:
    # "Not now" prospects are a stage of their own for marketing: they liked the firm.
    if not segment.stages and not segment.deferred_prospects:
        return True
    if facts.stage in segment.stages:
        return True
    return segment.deferred_prospects and facts.stage == Stage.PROSPECT and facts.deferred_prospect


def matches(segment: Segment, facts: Audience, now: datetime) -> bool:
    """Whether a current contact belongs to the segment now (every criterion set must hold)."""
    if facts.status is not ContactStatus.ACTIVE or not _stage_matches(segment, facts):
        return False
    if not _any_of(segment.camps, facts.camp) or not _any_of(segment.seniorities, facts.seniority):
        return False
    if segment.industries and _fold(facts.industry) not in {_fold(i) for i in segment.industries}:
        return False
    if segment.owner_ids and facts.owner_id not in segment.owner_ids:
        return False
    if not segment.bought_line_ids <= facts.bought_line_ids:
        return False
    if segment.not_bought_line_ids & facts.bought_line_ids:
        return False
    if segment.buying_roles and not segment.buying_roles & facts.roles:
        return False
    if segment.advocacy_tiers and facts.advocacy_tier not in segment.advocacy_tiers:
        return False
    if segment.max_typecasting_index is not None and (
        # No relevant line means no index: nothing to teach, so not in an "index below" audience.
        facts.typecasting_index is None or facts.typecasting_index > segment.max_typecasting_index
    ):
        return False
    if segment.no_human_touch_days is not None and facts.last_human_touch_at is not None:
        return facts.last_human_touch_at <= now - timedelta(days=segment.no_human_touch_days)
    return True


def _standing_reason(facts: Audience, now: datetime) -> StopReason | None:
    """A reason that holds whenever it is checked (not an event since enrolment)."""
    if facts.status is not ContactStatus.ACTIVE:
        return StopReason.LEFT
    if facts.objected or (
        facts.suppressed and suppressed_for(Category.NURTURE, set(facts.suppressed))
    ):
        return StopReason.UNSUBSCRIBED
    if facts.camp == Camp.BAD:
        return StopReason.BAD_CAMP
    recent = now - timedelta(days=DETRACTOR_DAYS)
    if facts.open_detractor_signal or (
        facts.detractor_answer_at is not None and facts.detractor_answer_at >= recent
    ):
        return StopReason.DETRACTOR
    return None


def _since(at: datetime | None, start: datetime) -> bool:
    return at is not None and at > start


def stop_reason(
    facts: Audience, enrolled_at: datetime, segment: Segment, now: datetime
) -> StopReason | None:
    """Why an enrolled contact leaves the campaign now, or None to go on.

    In this order: left or retired; unsubscribed from nurture (or everything) or objected; the
    account in the bad camp; a detractor (an open signal, or a detractor answer since enrolment
    or in the last quarter); replied or reached out since enrolment; hired the firm again since
    enrolment; no longer in the segment.
    """
    standing = _standing_reason(facts, now)
    if standing is not None:
        return standing
    if _since(facts.detractor_answer_at, enrolled_at):
        return StopReason.DETRACTOR
    if _since(facts.last_client_touch_at, enrolled_at):
        return StopReason.REPLIED
    if _since(facts.hired_again_at, enrolled_at):
        return StopReason.NEW_ENGAGEMENT
    if not matches(segment, facts, now):
        return StopReason.LEFT_SEGMENT
    return None


def next_occurrence(
    latest: EnrolmentState | None, reenter_after_days: int | None, now: datetime
) -> int | None:
    """The occurrence a new enrolment would have now, or None when the contact may not enter.

    First time: 1. While enrolled: none. After leaving: only when the campaign allows re-entry,
    the contact left for a circumstance (not removed by hand, not unsubscribed), and at least
    `reenter_after_days` have passed since the enrolment ended.
    """
    if latest is None:
        return 1
    if latest.status is EnrolmentStatus.ACTIVE or reenter_after_days is None:
        return None
    if latest.stop_reason in NEVER_AGAIN:
        return None
    ended = latest.ended_at or latest.enrolled_at
    if now < ended + timedelta(days=reenter_after_days):
        return None
    return latest.occurrence + 1


def may_enter(
    facts: Audience,
    segment: Segment,
    latest: EnrolmentState | None,
    reenter_after_days: int | None,
    now: datetime,
) -> int | None:
    """The occurrence to enrol the contact with now, or None (not in the segment, a standing stop
    reason, or the enrolment rule says no)."""
    if not matches(segment, facts, now) or _standing_reason(facts, now) is not None:
        return None
    return next_occurrence(latest, reenter_after_days, now)
