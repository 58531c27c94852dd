"""Managing nurture campaigns on a real database: who may, what a step list may become once
contacts went through it, the campaign's life, taking a contact out, and a segment's size."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.domain.campaigns import CampaignStatus, StepOutcome, StopReason
from advocacy.domain.errors import NotAllowed, NotFound, RuleError
from advocacy.models import (
    Campaign,
    CampaignCreate,
    CampaignUpdate,
    ContentItemCreate,
    Enrolment,
    SegmentCreate,
    SegmentCriteria,
    StepInput,
    StepRecord,
    User,
)
from advocacy.services.content.items import archive_item, create_item
from advocacy.services.nurture import campaigns
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_user,
)


@pytest.fixture
def marketer(session: Session) -> User:
    return make_user(session, role="marketing", password=None)


def content_item(session: Session, by: User, line_id: int, **fields: Any) -> Any:
    data = ContentItemCreate.model_validate(
        {
            "kind": "article",
            "title": "Transfer pricing after the reform",
            "url": "https://insights.firm.example/tp",
            "service_line_ids": [line_id],
            **fields,
        }
    )
    return create_item(session, data, by=by, now=NOW)


def new_campaign(session: Session, by: User, **criteria: Any) -> Campaign:
    segment = campaigns.create_segment(
        session,
        SegmentCreate(name="Between engagements", criteria=SegmentCriteria(**criteria)),
        by=by,
        now=NOW,
    )
    return campaigns.create_campaign(
        session, CampaignCreate(name="Next line", segment_id=segment.id or 0), by=by, now=NOW
    )


def steps(*specs: dict[str, Any]) -> list[StepInput]:
    return [StepInput.model_validate(spec) for spec in specs]


def test_only_marketing_and_admins_manage_campaigns(session: Session, marketer: User) -> None:
    manager = make_user(session, password=None)
    with pytest.raises(NotAllowed):
        campaigns.create_segment(session, SegmentCreate(name="All"), by=manager, now=NOW)
    campaign = new_campaign(session, marketer)
    with pytest.raises(NotAllowed):
        campaigns.activate(session, campaign.id or 0, by=manager, now=NOW)
    admin = make_user(session, role="admin", password=None)
    campaigns.update_campaign(
        session, campaign.id or 0, CampaignUpdate(name="Renamed"), by=admin, now=NOW
    )
    assert session.get(Campaign, campaign.id).name == "Renamed"


def test_a_segment_cannot_want_a_line_both_bought_and_not_bought() -> None:
    with pytest.raises(ValidationError):
        SegmentCriteria(bought_line_ids=[1], not_bought_line_ids=[1])


def test_segment_criteria_are_stored_as_validated_json_and_read_back(
    session: Session, marketer: User
) -> None:
    criteria = SegmentCriteria(
        stages=["between"], industries=["Logistics"], max_typecasting_index=0.5
    )
    segment = campaigns.create_segment(
        session, SegmentCreate(name="Typecast logistics", criteria=criteria), by=marketer, now=NOW
    )
    session.expire_all()
    stored = segment.criteria().to_segment()
    assert stored.stages == frozenset({"between"})
    assert stored.industries == frozenset({"Logistics"})
    assert stored.max_typecasting_index == 0.5


def test_a_step_missing_what_it_needs_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValidationError):
        StepInput.model_validate({"kind": "email"})
    with pytest.raises(ValidationError):
        StepInput.model_validate({"kind": "wait", "wait_days": 3, "wait_until": "2027-01-01"})
    with pytest.raises(ValidationError):
        StepInput.model_validate({"kind": "task", "task_text": "  "})


def test_a_step_cannot_send_an_archived_item(session: Session, marketer: User) -> None:
    line = make_service_line(session)
    item = content_item(session, marketer, line.id)
    archive_item(session, item.id, by=marketer, now=NOW)
    campaign = new_campaign(session, marketer)
    with pytest.raises(RuleError):
        campaigns.set_steps(
            session,
            campaign.id or 0,
            steps({"kind": "email", "content_item_id": item.id}),
            by=marketer,
            now=NOW,
        )


def test_a_campaign_needs_a_step_that_does_something_to_start(
    session: Session, marketer: User
) -> None:
    campaign = new_campaign(session, marketer)
    campaign_id = campaign.id or 0
    with pytest.raises(RuleError):
        campaigns.activate(session, campaign_id, by=marketer, now=NOW)
    campaigns.set_steps(
        session, campaign_id, steps({"kind": "wait", "wait_days": 2}), by=marketer, now=NOW
    )
    with pytest.raises(RuleError):
        campaigns.activate(session, campaign_id, by=marketer, now=NOW)
    campaigns.set_steps(
        session, campaign_id, steps({"kind": "next_line_email"}), by=marketer, now=NOW
    )
    assert campaigns.activate(session, campaign_id, by=marketer, now=NOW).activated_at == NOW


def test_a_campaign_pauses_resumes_and_once_finished_changes_no_more(
    session: Session, marketer: User
) -> None:
    campaign = new_campaign(session, marketer)
    campaign_id = campaign.id or 0
    campaigns.set_steps(
        session, campaign_id, steps({"kind": "next_line_email"}), by=marketer, now=NOW
    )
    campaigns.activate(session, campaign_id, by=marketer, now=NOW)
    assert campaigns.pause(session, campaign_id, by=marketer, now=NOW).status == "paused"
    assert campaigns.resume(session, campaign_id, by=marketer, now=NOW).status == "active"
    later = NOW + timedelta(days=30)
    finished = campaigns.finish(session, campaign_id, by=marketer, now=later)
    assert (finished.status, finished.finished_at) == (CampaignStatus.FINISHED.value, later)
    with pytest.raises(RuleError):
        campaigns.resume(session, campaign_id, by=marketer, now=later)
    with pytest.raises(RuleError):
        campaigns.set_steps(
            session,
            campaign_id,
            steps({"kind": "task", "task_text": "Call"}),
            by=marketer,
            now=later,
        )


def _went_through(session: Session, campaign: Campaign, contact: Any, position: int) -> None:
    """A contact who carried out the steps up to `position` (as a run would have recorded)."""
    enrolment = Enrolment(
        campaign_id=campaign.id or 0,
        contact_id=contact.id,
        account_id=contact.account_id,
        enrolled_at=NOW,
        next_position=position + 1,
        next_due_at=NOW,
    )
    session.add(enrolment)
    session.flush()
    session.add(
        StepRecord(
            enrolment_id=enrolment.id or 0,
            campaign_id=campaign.id or 0,
            position=position,
            kind="next_line_email",
            outcome=StepOutcome.DONE.value,
            at=NOW,
        )
    )
    session.commit()


def test_steps_contacts_went_through_stay_where_they_are_and_what_they_are(
    session: Session, marketer: User
) -> None:
    campaign = new_campaign(session, marketer)
    campaign_id = campaign.id or 0
    original = steps(
        {"kind": "next_line_email"},
        {"kind": "wait", "wait_days": 14},
        {"kind": "task", "task_text": "Call them"},
    )
    campaigns.set_steps(session, campaign_id, original, by=marketer, now=NOW)
    campaigns.activate(session, campaign_id, by=marketer, now=NOW)
    _went_through(session, campaign, make_contact(session, make_account(session)), 2)

    # Removing, moving or changing the kind of a step someone passed is refused...
    for wanted in (
        original[1:],
        [original[1], original[0], original[2]],
        steps({"kind": "task", "task_text": "Call"}, *[s.model_dump() for s in original[1:]]),
    ):
        with pytest.raises(RuleError):
            campaigns.set_steps(session, campaign_id, wanted, by=marketer, now=NOW)
    # ...while a passed step's settings change for those still to come, and later steps change.
    edited = steps(
        {"kind": "next_line_email"},
        {"kind": "wait", "wait_days": 21},
        {"kind": "ask", "ask_kind": "testimonial"},
        {"kind": "task", "task_text": "Call after the ask"},
    )
    rows = campaigns.set_steps(session, campaign_id, edited, by=marketer, now=NOW)
    assert [(row.position, row.kind, row.wait_days) for row in rows] == [
        (1, "next_line_email", None),
        (2, "wait", 21),
        (3, "ask", None),
        (4, "task", None),
    ]


def test_an_account_manager_takes_out_only_the_contacts_of_their_accounts(
    session: Session, marketer: User
) -> None:
    owner = make_user(session, password=None)
    other = make_user(session, password=None)
    contact = make_contact(session, make_account(session, owner=owner))
    campaign = new_campaign(session, marketer)
    _went_through(session, campaign, contact, 1)
    with pytest.raises(NotAllowed):
        campaigns.remove_contact(session, campaign.id or 0, contact.id, by=other, now=NOW)
    enrolment = campaigns.remove_contact(session, campaign.id or 0, contact.id, by=owner, now=NOW)
    assert (enrolment.status, enrolment.stop_reason, enrolment.removed_by_id) == (
        "stopped",
        StopReason.REMOVED.value,
        owner.id,
    )
    with pytest.raises(RuleError):
        campaigns.remove_contact(session, campaign.id or 0, contact.id, by=marketer, now=NOW)


def test_account_managers_see_only_the_campaigns_touching_their_accounts(
    session: Session, marketer: User
) -> None:
    owner = make_user(session, password=None)
    other = make_user(session, password=None)
    touching = new_campaign(session, marketer)
    elsewhere = new_campaign(session, marketer)
    _went_through(session, touching, make_contact(session, make_account(session, owner=owner)), 1)
    assert [c.id for c in campaigns.visible_campaigns(session, owner)] == [touching.id]
    assert campaigns.visible_campaigns(session, other) == []
    assert {c.id for c in campaigns.visible_campaigns(session, marketer)} == {
        touching.id,
        elsewhere.id,
    }
    with pytest.raises(NotFound):
        campaigns.get_visible_campaign(session, elsewhere.id or 0, owner)


def _firm(session: Session, accounts: int) -> tuple[int, int]:
    tax, audit = make_service_line(session, "Tax"), make_service_line(session, "Audit")
    for number in range(accounts):
        account = make_account(
            session, industry="Logistics" if number % 2 else "Banking", stage="between"
        )
        make_engagement(session, account, status="completed", service_line_ids=[tax.id])
        make_contact(session, account, seniority="c_level" if number % 2 else "manager")
    return tax.id, audit.id


def test_a_segment_counts_the_current_contacts_it_matches(session: Session) -> None:
    tax, audit = _firm(session, 4)
    left = make_contact(session, make_account(session, industry="Logistics"))
    left.status = "left"
    session.add(left)
    session.commit()
    size = campaigns.segment_size
    assert size(session, SegmentCriteria().to_segment(), NOW) == 4
    logistics = SegmentCriteria(industries=["logistics"]).to_segment()
    assert size(session, logistics, NOW) == 2
    between = SegmentCriteria(stages=["between"], bought_line_ids=[tax]).to_segment()
    assert size(session, between, NOW) == 4
    assert size(session, SegmentCriteria(bought_line_ids=[audit]).to_segment(), NOW) == 0
    bosses = SegmentCriteria(seniorities=["c_level"], not_bought_line_ids=[audit]).to_segment()
    assert size(session, bosses, NOW) == 2


def test_a_segment_size_sends_the_same_statements_whatever_the_segment_size(
    engine: Engine,
) -> None:
    counts = []
    for accounts in (2, 10):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            _firm(session, accounts)
            segment = SegmentCriteria(stages=["between"]).to_segment()
            with count_queries(engine) as statements:
                assert campaigns.segment_size(session, segment, NOW) == accounts
            counts.append(len(statements))
    assert counts[0] == counts[1] <= 15


def test_a_segment_by_advocacy_tier_counts_the_contacts_scored_in_it(session: Session) -> None:
    from advocacy.models import ContactScore

    _firm(session, 2)
    scored = make_contact(session, make_account(session, stage="between"))
    session.add(
        ContactScore(
            contact_id=scored.id, account_id=scored.account_id, score=80, tier="champion",
            ask="testimonial", reason="promoter", factors_json="{}", computed_at=NOW,
        )
    )  # fmt: skip
    session.commit()
    champions = SegmentCriteria(advocacy_tiers=["champion"]).to_segment()
    assert campaigns.segment_size(session, champions, NOW) == 1
    with pytest.raises(ValidationError):
        SegmentCriteria(advocacy_tiers=["hero"])
