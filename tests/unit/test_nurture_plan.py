"""The nurture planner: who enters, which due step goes out with which line, content and reason,
who is held back and why, and that it never mails a suppressed, objecting or unaskable contact nor
goes above the pressure budget, not even within one run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from advocacy.domain import pressure
from advocacy.domain.advocacy_asks import AskFacts
from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.campaigns import (
    AskStepKind,
    EnrolmentStatus,
    HoldReason,
    Segment,
    Step,
    StepKind,
    StopReason,
)
from advocacy.domain.co_purchase import co_purchase
from advocacy.domain.content import ContentKind, ContentOffer
from advocacy.domain.journey import Camp
from advocacy.domain.next_service_line import Ranker, RankingPolicy
from advocacy.domain.nurture_audience import Audience, EnrolmentState
from advocacy.domain.nurture_plan import (
    CampaignPlan,
    Library,
    MailRules,
    Planner,
    PressureLedger,
    Recipient,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday, inside the window
TAX, TP, MA = 1, 2, 3
BUDGET = pressure.Budget(per_contact=2, per_account=3, days=30)
WINDOW = pressure.SendWindow(time(8), time(18), frozenset(range(1, 6)), frozenset())
RULES = MailRules(budget=BUDGET, window=WINDOW, default_timezone="Europe/Paris")


def offer(item_id: int, language: str = "en", **fields: object) -> ContentOffer:
    return ContentOffer(
        id=item_id,
        kind=ContentKind.ARTICLE,
        title=f"Item {item_id}",
        url=f"https://insights.firm.example/{item_id}",
        summary="",
        language=language,
        **fields,  # type: ignore[arg-type]
    )


LIBRARY = Library.of(
    {(TP, "en"): [offer(20)], (MA, "en"): [offer(30)], (TP, "fr"): [offer(21, "fr")]}
)


def planner(ledger: PressureLedger | None = None, library: Library = LIBRARY) -> Planner:
    # Logistics clients who bought Tax often bought Transfer pricing too.
    statistics = co_purchase(
        [
            ("Logistics", {TAX, TP}),
            ("Logistics", {TAX, TP, MA}),
            ("Logistics", {TAX}),
            ("Logistics", {MA}),
        ]
    )
    ranker = Ranker(
        line_ids=[TAX, TP, MA],
        relevance={},
        statistics=statistics,
        content=set(library.by_line),
        policy=RankingPolicy(),
    )
    return Planner(
        ranker=ranker, library=library, rules=RULES, ledger=ledger or PressureLedger(), now=NOW
    )


def recipient(contact_id: int, account_id: int | None = None, **fields: object) -> Recipient:
    audience = Audience(
        contact_id=contact_id,
        account_id=account_id or contact_id * 10,
        stage="between",
        industry="Logistics",
        bought_line_ids=frozenset({TAX}),
    )
    changes = {k: v for k, v in fields.items() if k in Audience.__dataclass_fields__}
    rest = {k: v for k, v in fields.items() if k not in changes}
    defaults: dict[str, object] = {
        "email": f"c{contact_id}@client.example",
        "consent_basis": "contract",
        "awareness": {TAX: LineAwareness(TAX, Awareness.BOUGHT)},
    }
    return Recipient(audience=replace(audience, **changes), **{**defaults, **rest})  # type: ignore[arg-type]


NEXT_LINE = CampaignPlan(1, Segment(), (Step(1, StepKind.NEXT_LINE_EMAIL),))


def test_a_new_contact_enters_and_gets_the_next_line_with_content_and_its_reason() -> None:
    report = planner().plan(NEXT_LINE, {1: recipient(1)}, {})
    assert report.enrolled == (1,)
    (send,) = report.sends
    assert (send.service_line_id, send.content_item_id, send.next_position) == (TP, 20, None)
    first = send.reason["reasons"][0]  # type: ignore[index]
    assert str(first["kind"]).startswith("co_bought") and first["bought_line_id"] == TAX  # type: ignore[index]


def test_content_comes_in_the_contacts_language() -> None:
    (send,) = planner().plan(NEXT_LINE, {1: recipient(1, language="fr")}, {}).sends
    assert (send.service_line_id, send.content_item_id) == (TP, 21)


def test_a_line_introduced_lately_is_not_introduced_again() -> None:
    awareness = {
        TAX: LineAwareness(TAX, Awareness.BOUGHT),
        TP: LineAwareness(TP, Awareness.INTRODUCED, introduced_at=NOW - timedelta(days=10)),
    }
    (send,) = planner().plan(NEXT_LINE, {1: recipient(1, awareness=awareness)}, {}).sends
    assert send.service_line_id == MA


def test_nothing_left_to_introduce_holds_the_contact_back() -> None:
    everything = frozenset({TAX, TP, MA})
    awareness = {line: LineAwareness(line, Awareness.BOUGHT) for line in everything}
    report = planner().plan(NEXT_LINE, {1: recipient(1, awareness=awareness)}, {})
    assert [h.reason for h in report.held_back] == [HoldReason.NO_NEXT_LINE]


def test_content_that_suits_no_one_like_this_contact_holds_it_back() -> None:
    library = Library.of({(TP, "en"): [offer(20, stages=frozenset({"former"}))]})
    report = planner(library=library).plan(NEXT_LINE, {1: recipient(1)}, {})
    assert [h.reason for h in report.held_back] == [HoldReason.NO_CONTENT]


def test_each_mail_rule_holds_a_due_email_back_with_its_reason() -> None:
    cases = {
        1: (recipient(1, email=""), HoldReason.NO_ADDRESS),
        2: (recipient(2, consent_basis=""), HoldReason.NO_CONSENT),
        3: (recipient(3, timezone="Asia/Tokyo"), HoldReason.OUTSIDE_WINDOW),  # 18:30 there
    }
    report = planner().plan(NEXT_LINE, {cid: case[0] for cid, case in cases.items()}, {})
    assert {h.contact_id: h.reason for h in report.held_back} == {
        cid: case[1] for cid, case in cases.items()
    }
    window = next(h for h in report.held_back if h.contact_id == 3)
    assert window.until is not None and window.until > NOW


def test_an_ask_step_follows_the_one_may_we_ask_rule() -> None:
    campaign = CampaignPlan(
        1, Segment(), (Step(1, StepKind.ASK, ask_kind=AskStepKind.TESTIMONIAL),)
    )
    asked_lately = AskFacts(
        account_id=10,
        camp=Camp.GOOD,
        do_not_ask=False,
        contact_id=1,
        asked=(NOW - timedelta(days=2),),
    )
    report = planner().plan(campaign, {1: recipient(1, ask=asked_lately), 2: recipient(2)}, {})
    assert [(h.contact_id, h.reason, h.detail) for h in report.held_back] == [
        (1, HoldReason.MAY_NOT_ASK, "recently_asked")
    ]
    assert [s.contact_id for s in report.sends] == [2]


def test_a_task_step_needs_no_address_nor_budget() -> None:
    campaign = CampaignPlan(1, Segment(), (Step(1, StepKind.TASK, task_text="Call them"),))
    full = PressureLedger({1: [NOW] * 5}, {10: [NOW] * 5})
    (send,) = planner(full).plan(campaign, {1: recipient(1, email="")}, {}).sends
    assert (send.kind, send.task_text) == (StepKind.TASK, "Call them")


def test_steps_wait_their_turn_and_the_enrolment_moves_on_after_each() -> None:
    campaign = CampaignPlan(
        1,
        Segment(),
        (
            Step(1, StepKind.NEXT_LINE_EMAIL),
            Step(2, StepKind.WAIT, wait_days=14),
            Step(3, StepKind.TASK, task_text="Call"),
        ),
    )
    (send,) = planner().plan(campaign, {1: recipient(1)}, {}).sends
    assert (send.next_position, send.next_due_at) == (3, NOW + timedelta(days=14))
    waiting = EnrolmentState(
        1, EnrolmentStatus.ACTIVE, NOW - timedelta(days=1), 3, NOW + timedelta(days=13)
    )
    report = planner().plan(campaign, {1: recipient(1)}, {1: waiting})
    assert report.sends == () and report.enrolled == ()
    due = replace(waiting, next_due_at=NOW)
    (task,) = planner().plan(campaign, {1: recipient(1)}, {1: due}).sends
    assert (task.step_position, task.next_position) == (3, None)


def test_an_enrolled_contact_who_replied_leaves_instead_of_getting_the_step() -> None:
    state = EnrolmentState(1, EnrolmentStatus.ACTIVE, NOW - timedelta(days=5), 1, NOW)
    facts = recipient(1, last_client_touch_at=NOW - timedelta(days=1))
    report = planner().plan(NEXT_LINE, {1: facts}, {1: state})
    assert [(s.contact_id, s.reason) for s in report.stopped] == [(1, StopReason.REPLIED)]
    assert report.sends == ()


def test_the_budget_counts_what_this_run_planned_already() -> None:
    # Three contacts of one account, an account budget of three, one touch already this month.
    ledger = PressureLedger({}, {10: [NOW - timedelta(days=3)]})
    contacts = {cid: recipient(cid, account_id=10) for cid in (1, 2, 3)}
    report = planner(ledger).plan(NEXT_LINE, contacts, {})
    assert [s.contact_id for s in report.sends] == [1, 2]
    assert [(h.contact_id, h.reason) for h in report.held_back] == [(3, HoldReason.OVER_BUDGET)]


def test_the_budget_is_shared_by_the_campaigns_of_one_run() -> None:
    shared = planner()
    first = shared.plan(NEXT_LINE, {1: recipient(1)}, {})
    other = CampaignPlan(2, Segment(), (Step(1, StepKind.EMAIL, content_item_id=30),))
    second = shared.plan(other, {1: recipient(1)}, {})
    third = shared.plan(replace(other, campaign_id=3), {1: recipient(1)}, {})
    assert (len(first.sends), len(second.sends), len(third.sends)) == (1, 1, 0)
    assert third.held_back[0].reason is HoldReason.OVER_BUDGET


# --- properties ---------------------------------------------------------------------------------

people = st.lists(
    st.fixed_dictionaries(
        {
            "account": st.integers(1, 4),
            "suppressed": st.sampled_from(
                [
                    frozenset(),
                    frozenset({"nurture"}),
                    frozenset({"all"}),
                    frozenset({"advocacy_ask"}),
                    frozenset({"bounce"}),
                ]
            ),
            "objected": st.booleans(),
            "camp": st.sampled_from(["good", "unknown", "bad"]),
            "detractor_signal": st.booleans(),
            "asked_days_ago": st.one_of(st.none(), st.integers(0, 30)),
            "touches": st.integers(0, 3),
            "enrolled": st.booleans(),
        }
    ),
    min_size=1,
    max_size=12,
)
steps = st.sampled_from(
    [
        Step(1, StepKind.NEXT_LINE_EMAIL),
        Step(1, StepKind.EMAIL, content_item_id=30),
        Step(1, StepKind.ASK, ask_kind=AskStepKind.TESTIMONIAL),
        Step(1, StepKind.ASK, ask_kind=AskStepKind.REFERRAL),
    ]
)


def _population(
    drawn: list[dict[str, object]],
) -> tuple[dict[int, Recipient], dict[int, EnrolmentState], PressureLedger]:
    recipients: dict[int, Recipient] = {}
    enrolments: dict[int, EnrolmentState] = {}
    ledger = PressureLedger({}, {})
    for number, person in enumerate(drawn, 1):
        account = int(person["account"])  # type: ignore[call-overload]
        asked = person["asked_days_ago"]
        ask = AskFacts(
            account_id=account,
            camp=Camp(str(person["camp"])),
            do_not_ask=False,
            open_detractor_signal=bool(person["detractor_signal"]),
            contact_id=number,
            suppressed=person["suppressed"],  # type: ignore[arg-type]
            asked=() if asked is None else (NOW - timedelta(days=int(asked)),),  # type: ignore[call-overload]
        )
        recipients[number] = recipient(
            number,
            account,
            suppressed=person["suppressed"],
            objected=person["objected"],
            camp=person["camp"],
            open_detractor_signal=person["detractor_signal"],
            ask=ask,
        )
        for _ in range(int(person["touches"])):  # type: ignore[call-overload]
            ledger.add(number, account, NOW - timedelta(days=1))
        if person["enrolled"]:
            enrolments[number] = EnrolmentState(
                1, EnrolmentStatus.ACTIVE, NOW - timedelta(days=40), 1, NOW
            )
    return recipients, enrolments, ledger


@settings(max_examples=150, deadline=None)
@given(people, steps)
def test_never_to_a_suppressed_objecting_or_unaskable_contact(
    drawn: list[dict[str, object]], step: Step
) -> None:
    from advocacy.domain.advocacy_asks import may_ask
    from advocacy.domain.mail import Category, suppressed_for
    from advocacy.domain.nurture_plan import ASK_CATEGORY, ASK_RULE

    recipients, enrolments, ledger = _population(drawn)
    campaign = CampaignPlan(1, Segment(), (step,))
    report = planner(ledger).plan(campaign, recipients, enrolments)
    for send in report.sends:
        facts = recipients[send.contact_id]
        category = ASK_CATEGORY[step.ask_kind] if step.ask_kind else Category.NURTURE
        assert not suppressed_for(category, set(facts.audience.suppressed))  # type: ignore[arg-type]
        assert not suppressed_for(Category.NURTURE, set(facts.audience.suppressed))  # type: ignore[arg-type]
        assert not facts.audience.objected
        assert facts.audience.camp != "bad" and not facts.audience.open_detractor_signal
        if step.ask_kind is not None:
            kind = ASK_RULE[step.ask_kind]
            assert kind is not None and facts.ask is not None
            assert may_ask(facts.ask, kind, NOW).allowed


@settings(max_examples=150, deadline=None)
@given(people, st.integers(1, 3))
def test_never_above_the_pressure_budget_even_within_one_run(
    drawn: list[dict[str, object]], campaigns: int
) -> None:
    recipients, enrolments, ledger = _population(drawn)
    before_contact = {k: len(v) for k, v in ledger.contact.items()}
    before_account = {k: len(v) for k, v in ledger.account.items()}
    shared = planner(ledger)
    sent_contact: dict[int, int] = {}
    sent_account: dict[int, int] = {}
    for number in range(1, campaigns + 1):
        report = shared.plan(
            replace(NEXT_LINE, campaign_id=number), recipients, enrolments if number == 1 else {}
        )
        for send in report.sends:
            sent_contact[send.contact_id] = sent_contact.get(send.contact_id, 0) + 1
            sent_account[send.account_id] = sent_account.get(send.account_id, 0) + 1
    for contact_id, count in sent_contact.items():
        if count:
            assert before_contact.get(contact_id, 0) + count <= BUDGET.per_contact
    for account_id, count in sent_account.items():
        if count:
            assert before_account.get(account_id, 0) + count <= BUDGET.per_account


def test_a_wait_until_a_date_holds_the_next_step_until_that_day() -> None:
    campaign = CampaignPlan(
        1,
        Segment(),
        (
            Step(1, StepKind.WAIT, wait_until=date(2026, 12, 1)),
            Step(2, StepKind.TASK, task_text="Call"),
        ),
    )
    report = planner().plan(campaign, {1: recipient(1)}, {})
    assert report.enrolments[0].next_due_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert report.sends == ()


def test_contacts_sharing_a_ranking_still_get_their_own_quiet_period() -> None:
    def introduced(days_ago: int) -> dict[int, LineAwareness]:
        return {
            TAX: LineAwareness(TAX, Awareness.BOUGHT),
            TP: LineAwareness(
                TP, Awareness.INTRODUCED, introduced_at=NOW - timedelta(days=days_ago)
            ),
        }

    contacts = {
        1: recipient(1, awareness=introduced(10)),  # lately: not Transfer pricing again
        2: recipient(2, awareness=introduced(200)),  # long ago: Transfer pricing again
        3: recipient(3, awareness=introduced(300)),
    }
    report = planner().plan(NEXT_LINE, contacts, {})
    assert {s.contact_id: s.service_line_id for s in report.sends} == {1: MA, 2: TP, 3: TP}
