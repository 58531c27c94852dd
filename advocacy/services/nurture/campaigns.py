"""Managing nurture campaigns: segments, campaigns, their steps and status, and taking a contact out.

Marketing and administrators manage campaigns (`domain.access.may_manage_campaigns`); account
managers see the campaigns touching their accounts and may take their own contacts out. Each
public function checks the rules, refuses with a RuleError saying why, and commits once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from advocacy.domain import access
from advocacy.domain.awareness import DEFAULT_RELEVANCE_THRESHOLD
from advocacy.domain.campaigns import (
    CampaignStatus,
    Segment,
    Step,
    StepKind,
    StopReason,
    check_step_edit,
    check_transition,
)
from advocacy.domain.errors import NotAllowed, NotFound, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import (
    Campaign,
    CampaignCreate,
    CampaignStep,
    CampaignUpdate,
    ContentItem,
    Enrolment,
    SavedSegment,
    SegmentCreate,
    SegmentUpdate,
    StepInput,
    User,
)
from advocacy.models.fields import saved_id
from advocacy.repository import journey, nurture
from advocacy.services.nurture.audience import matching, read_segment


def _check_may_manage(by: User) -> None:
    if not access.may_manage_campaigns(Role(by.role)):
        raise NotAllowed(N_("Only marketing and administrators manage nurture campaigns."))


def _check_open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.FINISHED.value:
        raise RuleError(N_("A finished campaign cannot change any more."))


def create_segment(
    session: Session, data: SegmentCreate, *, by: User, now: datetime
) -> SavedSegment:
    """Save a named audience."""
    _check_may_manage(by)
    segment = SavedSegment(
        name=data.name,
        criteria_json=data.criteria.as_json(),
        created_by_id=by.id,
        updated_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(segment)
    session.commit()
    return segment


def update_segment(
    session: Session, segment_id: int, data: SegmentUpdate, *, by: User, now: datetime
) -> SavedSegment:
    """Rename a segment or change its criteria; campaigns using it follow from their next run."""
    _check_may_manage(by)
    segment = nurture.get_segment(session, segment_id)
    if data.name is not None:
        segment.name = data.name
    if data.criteria is not None:
        segment.criteria_json = data.criteria.as_json()
    segment.updated_by_id, segment.updated_at = by.id, now
    session.add(segment)
    session.commit()
    return segment


def create_campaign(session: Session, data: CampaignCreate, *, by: User, now: datetime) -> Campaign:
    """A new campaign, as a draft without steps, for an existing segment."""
    _check_may_manage(by)
    nurture.get_segment(session, data.segment_id)
    campaign = Campaign.model_validate(
        data.model_dump(),
        update={
            "status": CampaignStatus.DRAFT.value,
            "created_by_id": by.id,
            "updated_by_id": by.id,
            "created_at": now,
            "updated_at": now,
        },
    )
    session.add(campaign)
    session.commit()
    return campaign


def update_campaign(
    session: Session, campaign_id: int, data: CampaignUpdate, *, by: User, now: datetime
) -> Campaign:
    """Change a campaign's name, description, segment or re-entry rule (not once finished)."""
    _check_may_manage(by)
    campaign = nurture.get_campaign(session, campaign_id)
    _check_open(campaign)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("segment_id") is not None:
        nurture.get_segment(session, changes["segment_id"])
    for name in ("name", "description", "segment_id"):
        if changes.get(name) is not None:
            setattr(campaign, name, changes[name])
    if "reenter_after_days" in changes:
        campaign.reenter_after_days = changes["reenter_after_days"]
    campaign.updated_by_id, campaign.updated_at = by.id, now
    session.add(campaign)
    session.commit()
    return campaign


def set_steps(
    session: Session, campaign_id: int, steps: list[StepInput], *, by: User, now: datetime
) -> list[CampaignStep]:
    """Replace the campaign's steps with these, in this order.

    Steps some contacts have carried out already keep their position and kind
    (`domain.campaigns.check_step_edit`); a change to their text or content reaches only contacts
    who have not got there yet. Nobody receives a step twice: what was done is recorded per
    enrolment and position.
    """
    _check_may_manage(by)
    campaign = nurture.get_campaign(session, campaign_id)
    _check_open(campaign)
    wanted = [nurture.input_as_step(position, data) for position, data in enumerate(steps, 1)]
    current = nurture.steps_of(session, [campaign_id])[campaign_id]
    check_step_edit(current, wanted, nurture.furthest_reached(session, campaign_id))
    _check_content(session, wanted)
    if campaign.status != CampaignStatus.DRAFT.value:
        _check_sends_something(wanted)
    nurture.replace_steps(session, campaign_id, wanted)
    campaign.updated_by_id, campaign.updated_at = by.id, now
    session.add(campaign)
    session.commit()
    return nurture.step_rows(session, campaign_id)


def _check_content(session: Session, steps: list[Step]) -> None:
    for step in steps:
        if step.content_item_id is None:
            continue
        item = session.get(ContentItem, step.content_item_id)
        if item is None:
            raise RuleError(N_("Unknown content item."))
        if item.archived:
            raise RuleError(N_("This content item is archived: choose one in use."))


def _check_sends_something(steps: list[Step]) -> None:
    if all(step.kind is StepKind.WAIT for step in steps):
        raise RuleError(N_("A running campaign needs at least one step that does something."))


def _move(
    session: Session, campaign_id: int, wanted: CampaignStatus, *, by: User, now: datetime
) -> Campaign:
    _check_may_manage(by)
    campaign = nurture.get_campaign(session, campaign_id)
    check_transition(CampaignStatus(campaign.status), wanted)
    if wanted is CampaignStatus.ACTIVE:
        _check_sends_something(list(nurture.steps_of(session, [campaign_id])[campaign_id]))
        campaign.activated_at = campaign.activated_at or now
    if wanted is CampaignStatus.FINISHED:
        campaign.finished_at = now
        # Nobody stays in a campaign that will never run again: the results and the re-entry
        # rules read the enrolments, and an active one would count as still in progress.
        nurture.stop_active_enrolments(
            session, campaign_id, StopReason.CAMPAIGN_FINISHED.value, now=now
        )
    campaign.status = wanted.value
    campaign.updated_by_id, campaign.updated_at = by.id, now
    session.add(campaign)
    session.commit()
    return campaign


def activate(session: Session, campaign_id: int, *, by: User, now: datetime) -> Campaign:
    """Start sending: the next run enrols the segment and carries out due steps."""
    return _move(session, campaign_id, CampaignStatus.ACTIVE, by=by, now=now)


def pause(session: Session, campaign_id: int, *, by: User, now: datetime) -> Campaign:
    """Stop sending from the next run on; enrolments wait where they are."""
    return _move(session, campaign_id, CampaignStatus.PAUSED, by=by, now=now)


def resume(session: Session, campaign_id: int, *, by: User, now: datetime) -> Campaign:
    """Send again; steps that fell due while paused go out at the next run."""
    return _move(session, campaign_id, CampaignStatus.ACTIVE, by=by, now=now)


def finish(session: Session, campaign_id: int, *, by: User, now: datetime) -> Campaign:
    """End the campaign for ever; its results stay."""
    return _move(session, campaign_id, CampaignStatus.FINISHED, by=by, now=now)


def remove_contact(
    session: Session, campaign_id: int, contact_id: int, *, by: User, now: datetime
) -> Enrolment:
    """Take a contact out of a campaign by hand; they do not come back into it by themselves."""
    nurture.get_campaign(session, campaign_id)
    contact = journey.get_contact(session, contact_id)
    account = journey.get_account(session, contact.account_id)
    if not access.may_remove_from_campaign(
        Role(by.role),
        saved_id(by),
        owner_id=account.owner_id,
        team_user_ids=journey.team_user_ids(session, contact.account_id),
    ):
        raise NotAllowed(N_("Only this account's team, marketing or an administrator may do this."))
    enrolment = nurture.active_enrolment(session, campaign_id, contact_id)
    if enrolment is None:
        raise RuleError(N_("This contact is not in this campaign."))
    nurture.stop_enrolment(enrolment, StopReason.REMOVED.value, now=now, by_id=by.id)
    session.add(enrolment)
    session.commit()
    return enrolment


def segment_size(
    session: Session,
    segment: Segment,
    now: datetime,
    *,
    threshold: int = DEFAULT_RELEVANCE_THRESHOLD,
) -> int:
    """How many current contacts the segment matches now (a fixed number of queries)."""
    facts = read_segment(session, segment, now=now, threshold=threshold, with_awareness=False)
    return len(matching(facts, segment, now))


def visible_campaigns(session: Session, user: User) -> list[Campaign]:
    """The campaigns a user sees: all for marketing and admins, those touching their accounts
    for an account manager."""
    if access.sees_every_campaign(Role(user.role)):
        return nurture.list_campaigns(session)
    return nurture.campaigns_touching(session, saved_id(user))


def get_visible_campaign(session: Session, campaign_id: int, user: User) -> Campaign:
    """One campaign the user may see (NotFound otherwise, as if it did not exist)."""
    campaign = nurture.get_campaign(session, campaign_id)
    if access.sees_every_campaign(Role(user.role)):
        return campaign
    if campaign_id not in {saved_id(row) for row in visible_campaigns(session, user)}:
        raise NotFound(f"nurture_campaigns {campaign_id} not found")
    return campaign
