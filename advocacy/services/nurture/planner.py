"""Planning nurture campaigns: the preview (what the next run would do, and why; writes nothing),
the test send of one step to oneself, and the planning the run shares with the preview.

Set-based: a run reads the firm-wide inputs once (catalogue, co-purchase evidence, content on
offer, recent pressure touches) and a fixed dozen statements per campaign for its segment,
whatever the segment's size. Ask facts are read only for campaigns with an ask step, in chunks
(`ASK_CHUNK` contacts per seven statements): their cost grows with the segment, documented in
docs/nurture.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from sqlmodel import Session

from advocacy.domain.access import may_manage_campaigns
from advocacy.domain.advocacy_asks import AskFacts, AskPolicy
from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.campaigns import CampaignStatus, PlanReport, StepKind
from advocacy.domain.co_purchase import co_purchase
from advocacy.domain.content import ContentOffer
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.mail import Category
from advocacy.domain.next_service_line import Ranker, RankingPolicy
from advocacy.domain.nurture_plan import (
    CampaignPlan,
    Library,
    MailRules,
    Planner,
    PressureLedger,
    Recipient,
)
from advocacy.domain.outbox import Status
from advocacy.domain.text import N_
from advocacy.models import Campaign, ContentItem, User
from advocacy.models.fields import saved_id
from advocacy.repository import asks, content, nurture, nurture_facts, outbox
from advocacy.services.collector import collector_paused
from advocacy.services.mail.queue import QueueResult, budget_of, queue_email, window_of
from advocacy.services.nurture.audience import SegmentFacts, matching, read_segment
from advocacy.settings import Settings

ASK_CHUNK: Final = 5_000
ASK_POLICY: Final = AskPolicy()
PENDING: Final = (Status.QUEUED, Status.SENDING, Status.UNKNOWN)
NEXT_LINE_TEMPLATE: Final = "nurture_next_line"
CONTENT_TEMPLATE: Final = "nurture_content"


@dataclass(frozen=True)
class CampaignRun:
    """One campaign's plan and what was read to make it (the run writes from both)."""

    campaign: Campaign
    report: PlanReport
    facts: SegmentFacts
    items: Mapping[int, ContentOffer]  # the content on offer, by id


def rules_of(settings: Settings) -> MailRules:
    return MailRules(
        budget=budget_of(settings),
        window=window_of(settings),
        default_timezone=settings.default_timezone,
        ask_policy=ASK_POLICY,
    )


def new_planner(session: Session, settings: Settings, *, now: datetime) -> Planner:
    """A planner over the firm-wide inputs of one run (a fixed handful of statements)."""
    line_ids, relevance = nurture_facts.catalogue(session)
    offers = content.available_content(session, now)
    policy = RankingPolicy(relevance_threshold=settings.typecasting_relevance_threshold)
    ranker = Ranker(
        line_ids=line_ids,
        relevance=relevance,
        statistics=co_purchase(nurture_facts.purchases(session)),
        content=set(offers),
        policy=policy,
    )
    by_contact, by_account = outbox.pressure_touches(
        session,
        contact_ids=(),
        account_ids=(),
        since=now - budget_of(settings).period,
        now=now,
        pending=PENDING,
        everyone=True,
    )
    ledger = PressureLedger(dict(by_contact), dict(by_account))
    return Planner(
        ranker=ranker, library=Library.of(offers), rules=rules_of(settings), ledger=ledger, now=now
    )


def campaign_plan(session: Session, campaign: Campaign) -> CampaignPlan:
    segment = nurture.get_segment(session, campaign.segment_id).criteria().to_segment()
    campaign_id = saved_id(campaign)
    return CampaignPlan(
        campaign_id=campaign_id,
        segment=segment,
        steps=nurture.steps_of(session, [campaign_id])[campaign_id],
        reenter_after_days=campaign.reenter_after_days,
    )


def _ask_facts(session: Session, contact_ids: Sequence[int], now: datetime) -> dict[int, AskFacts]:
    found: dict[int, AskFacts] = {}
    for start in range(0, len(contact_ids), ASK_CHUNK):
        chunk = contact_ids[start : start + ASK_CHUNK]
        found.update(asks.ask_facts(session, chunk, now=now, policy=ASK_POLICY))
    return found


def with_account_purchases(facts: SegmentFacts, contact_id: int) -> Mapping[int, LineAwareness]:
    """The contact's awareness, with every line their account bought counted as bought: a line
    the firm delivered to the account is not news to its people, named on the work or not."""
    bought = facts.audience[contact_id].bought_line_ids
    records = facts.awareness.get(contact_id)
    if records is None:
        return _bought_only(bought)  # most contacts: one shared mapping per set of lines
    missing = [
        line_id
        for line_id in bought
        if line_id not in records or records[line_id].state is not Awareness.BOUGHT
    ]
    if not missing:
        return records  # shared, never changed: the planner only reads it
    merged = dict(records)
    for line_id in missing:
        record = records.get(line_id)
        merged[line_id] = (
            _bought(line_id)
            if record is None
            else LineAwareness(line_id, Awareness.BOUGHT, record.introduced_at, record.engaged_at)
        )
    return merged


@functools.cache
def _bought(line_id: int) -> LineAwareness:
    return LineAwareness(line_id, Awareness.BOUGHT)


@functools.lru_cache(maxsize=4096)
def _bought_only(lines: frozenset[int]) -> Mapping[int, LineAwareness]:
    return MappingProxyType({line_id: _bought(line_id) for line_id in sorted(lines)})


def _recipients(
    facts: SegmentFacts, ask: Mapping[int, AskFacts], default_language: str
) -> dict[int, Recipient]:
    found: dict[int, Recipient] = {}
    audience, awareness = facts.audience, facts.awareness
    for contact_id, reach in facts.reach.items():
        fact = audience[contact_id]
        found[contact_id] = Recipient(
            fact,
            reach.email,
            reach.language or default_language,
            reach.timezone,
            reach.consent_basis,
            with_account_purchases(facts, contact_id),
            ask.get(contact_id),
            None if contact_id in awareness else fact.bought_line_ids,
        )
    return found


def plan_one(
    session: Session, planner: Planner, campaign: Campaign, settings: Settings
) -> CampaignRun:
    """Read one campaign's segment and plan it on the run's shared planner."""
    now = planner.now
    plan = campaign_plan(session, campaign)
    with collector_paused():
        facts = read_segment(
            session,
            plan.segment,
            now=now,
            campaign_id=plan.campaign_id,
            threshold=settings.typecasting_relevance_threshold,
        )
        enrolments = nurture_facts.latest_enrolments(session, plan.campaign_id)
        has_ask = any(step.kind is StepKind.ASK for step in plan.steps)
        ask = _ask_facts(session, sorted(facts.audience), now) if has_ask else {}
        recipients = _recipients(facts, ask, settings.default_language)
        report = planner.plan(plan, recipients, enrolments)
    return CampaignRun(campaign, report, facts, planner.library.by_id)


def preview_campaign(
    session: Session, campaign_id: int, *, now: datetime, settings: Settings
) -> PlanReport:
    """What the next run would do for this campaign (any status), and why. Writes nothing."""
    campaign = nurture.get_campaign(session, campaign_id)
    planner = new_planner(session, settings, now=now)
    return plan_one(session, planner, campaign, settings).report


def email_context(item: Any, line_name: str) -> dict[str, Any]:
    """What the nurture templates show: the item, and the line it introduces."""
    return {
        "item": {"title": item.title, "summary": item.summary, "url": item.url},
        "line_name": line_name,
    }


def send_test(
    session: Session,
    campaign_id: int,
    step_position: int,
    user: User,
    now: datetime,
    *,
    settings: Settings,
) -> QueueResult:
    """Send one e-mail step to oneself as a sample contact would get it (transactional: no
    enrolment, no pressure, no awareness change). Commits the queued message."""
    if not may_manage_campaigns(Role(user.role)):
        raise NotAllowed(N_("Only marketing and administrators manage nurture campaigns."))
    campaign = nurture.get_campaign(session, campaign_id)
    plan = campaign_plan(session, campaign)
    step = next((s for s in plan.steps if s.position == step_position), None)
    if step is None or step.kind not in {StepKind.EMAIL, StepKind.NEXT_LINE_EMAIL}:
        raise RuleError(N_("Only an e-mail step can be sent as a test."))
    facts = read_segment(session, plan.segment, now=now)
    sample = next(
        (cid for cid in matching(facts, plan.segment, now) if facts.reach[cid].email), None
    )
    if sample is None:
        raise RuleError(N_("Nobody in this campaign's segment to show the e-mail for."))
    reach = facts.reach[sample]
    language = reach.language or settings.default_language
    line_name, template = "", CONTENT_TEMPLATE
    if step.kind is StepKind.EMAIL:
        item: Any = session.get(ContentItem, step.content_item_id)
    else:
        planner = new_planner(session, settings, now=now)
        recipient = Recipient(
            audience=facts.audience[sample],
            email=reach.email,
            language=language,
            awareness=with_account_purchases(facts, sample),
        )
        choice = planner.choose_next_line(recipient)
        if choice is None:
            raise RuleError(N_("No next service line with content for the sample contact."))
        line_id, item = choice
        line_name = nurture_facts.line_names(session).get(line_id, "")
        template = NEXT_LINE_TEMPLATE
    if item is None:
        raise RuleError(N_("Unknown content item."))
    result = queue_email(
        session,
        category=Category.TRANSACTIONAL,
        template=template,
        to=user.email,
        user_id=user.id,
        source=("nurture_test", campaign_id),
        occurrence=f"{step_position}:{now.isoformat()}",
        context={**email_context(item, line_name), "recipient_name": reach.full_name},
        now=now,
        language=language,
        settings=settings,
    )
    session.commit()
    return result


def active_campaigns(session: Session) -> list[Campaign]:
    return nurture.list_campaigns(session, status=CampaignStatus.ACTIVE.value)
