"""Service-line awareness follows the evidence as the use cases write it: engagements sold make the
account and the people named on them "bought", touchpoints introduce a line or show interest.
Awareness never goes down, except through a rebuild, which gives what the increments gave."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.models import AccountLineAwareness, ContactLineAwareness, EngagementUpdate
from advocacy.services.journey.engagements import update_engagement
from advocacy.services.nurture.awareness import rebuild_awareness
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_touchpoint,
    make_user,
)

Snapshot = dict[tuple[str, int, int], tuple[str, Any, Any, Any]]


def snapshot(session: Session) -> Snapshot:
    """Every stored record: (level, who, line) -> (state, introduced, engaged, bought)."""
    session.expire_all()
    found: Snapshot = {}
    for level, model in (("contact", ContactLineAwareness), ("account", AccountLineAwareness)):
        for row in session.exec(select(model)):
            who = row.contact_id if level == "contact" else row.account_id
            found[(level, who, row.service_line_id)] = (
                row.state,
                row.introduced_at,
                row.engaged_at,
                row.bought_at,
            )
    return found


def states(session: Session) -> dict[tuple[str, int, int], str]:
    return {key: value[0] for key, value in snapshot(session).items()}


def test_a_won_engagement_makes_the_account_and_its_people_bought(session: Session) -> None:
    tax = make_service_line(session, "Tax")
    account = make_account(session)
    anna = make_contact(session, account, full_name="Anna")
    make_contact(session, account, full_name="Ben")  # not named on the engagement
    engagement = make_engagement(
        session, account, status="won", service_line_ids=[tax.id], contact_ids=[anna.id]
    )
    assert states(session) == {
        ("contact", anna.id, tax.id): "bought",
        ("account", account.id, tax.id): "bought",
    }
    assert snapshot(session)[("account", account.id, tax.id)][3] == engagement.created_at


def test_an_engagement_won_with_nobody_named_still_makes_the_account_bought(
    session: Session,
) -> None:
    tax = make_service_line(session, "Tax")
    account = make_account(session)
    make_engagement(session, account, status="active", service_line_ids=[tax.id])
    assert states(session) == {("account", account.id, tax.id): "bought"}


def test_a_proposal_lost_or_deferred_is_not_a_line_bought(session: Session) -> None:
    tax = make_service_line(session, "Tax")
    account = make_account(session)
    make_engagement(session, account, status="proposed", service_line_ids=[tax.id])
    make_engagement(session, account, status="lost", service_line_ids=[tax.id])
    assert states(session) == {}


def test_winning_a_proposal_later_makes_the_line_bought(session: Session) -> None:
    tax = make_service_line(session, "Tax")
    owner = make_user(session)
    account = make_account(session, owner=owner)
    engagement = make_engagement(session, account, status="proposed", service_line_ids=[tax.id])
    update_engagement(session, engagement.id, EngagementUpdate(status="won"), by=owner, now=NOW)
    assert states(session) == {("account", account.id, tax.id): "bought"}


def test_a_meeting_we_held_about_a_line_introduces_it_with_its_date(session: Session) -> None:
    esg = make_service_line(session, "ESG reporting")
    account = make_account(session)
    ben = make_contact(session, account, full_name="Ben")
    at = NOW - timedelta(days=3)
    make_touchpoint(
        session, account, kind="meeting", contact_id=ben.id, service_line_id=esg.id, occurred_at=at
    )
    records = snapshot(session)
    assert records[("contact", ben.id, esg.id)] == ("introduced", at, None, None)
    assert records[("account", account.id, esg.id)] == ("introduced", at, None, None)


def test_a_question_from_the_client_or_an_event_attended_shows_interest(
    session: Session,
) -> None:
    esg, tax = make_service_line(session, "ESG"), make_service_line(session, "Tax")
    account = make_account(session)
    make_touchpoint(session, account, kind="call", initiative="client", service_line_id=esg.id)
    make_touchpoint(session, account, kind="event", initiative="firm", service_line_id=tax.id)
    assert states(session) == {
        ("account", account.id, esg.id): "engaged",
        ("account", account.id, tax.id): "engaged",
    }


def test_a_touchpoint_that_proves_nothing_about_a_line_leaves_it_unaware(
    session: Session,
) -> None:
    tax = make_service_line(session, "Tax")
    account = make_account(session)
    make_touchpoint(session, account, kind="press", initiative="external", service_line_id=tax.id)
    make_touchpoint(session, account, kind="meeting")  # about no line in particular
    assert states(session) == {}


def test_awareness_never_goes_down_with_later_weaker_evidence(session: Session) -> None:
    tax = make_service_line(session, "Tax")
    owner = make_user(session)
    account = make_account(session, owner=owner)
    anna = make_contact(session, account, full_name="Anna")
    make_touchpoint(
        session, account, kind="call", initiative="client", contact_id=anna.id,
        service_line_id=tax.id, occurred_at=NOW - timedelta(days=5),
    )  # fmt: skip
    make_touchpoint(
        session, account, kind="email", contact_id=anna.id, service_line_id=tax.id,
        occurred_at=NOW - timedelta(days=1),
    )  # fmt: skip
    state, introduced, engaged, _ = snapshot(session)[("contact", anna.id, tax.id)]
    assert (state, introduced, engaged) == (
        "engaged", NOW - timedelta(days=1), NOW - timedelta(days=5)
    )  # fmt: skip
    engagement = make_engagement(session, account, status="won", service_line_ids=[tax.id])
    update_engagement(session, engagement.id, EngagementUpdate(status="lost"), by=owner, now=NOW)
    assert states(session)[("account", account.id, tax.id)] == "bought"


def test_a_rebuild_recomputes_from_the_evidence_alone(session: Session) -> None:
    tax = make_service_line(session, "Tax")
    owner = make_user(session)
    account = make_account(session, owner=owner)
    engagement = make_engagement(session, account, status="won", service_line_ids=[tax.id])
    update_engagement(session, engagement.id, EngagementUpdate(status="lost"), by=owner, now=NOW)
    done = rebuild_awareness(session, now=NOW)
    assert states(session) == {} and (done.contact_records, done.account_records) == (0, 0)


def _firm(session: Session, accounts: int) -> None:
    lines = [make_service_line(session) for _ in range(3)]
    for number in range(accounts):
        account = make_account(session)
        person = make_contact(session, account)
        make_engagement(
            session, account, status="won", service_line_ids=[lines[number % 3].id],
            contact_ids=[person.id],
        )  # fmt: skip
        make_touchpoint(session, account, contact_id=person.id, service_line_id=lines[1].id)


def test_the_rebuild_sends_the_same_few_statements_whatever_the_size_of_the_firm(
    engine: Engine,
) -> None:
    counts = []
    for accounts in (2, 12):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            _firm(session, accounts)
            with count_queries(engine) as statements:
                done = rebuild_awareness(session, now=NOW)
            assert done.account_records >= accounts
            counts.append(len(statements))
    assert counts[0] == counts[1] <= 6


# --- the rebuild gives what the increments gave -------------------------------------------------

operations = st.one_of(
    st.tuples(
        st.just("engagement"),
        st.sampled_from(["proposed", "won", "active", "completed", "lost"]),
        st.integers(0, 2),  # line
        st.sampled_from([(), (0,), (0, 1)]),  # contacts named
    ),
    st.tuples(
        st.just("touchpoint"),
        st.sampled_from(["meeting", "email", "event", "proposal", "press"]),
        st.sampled_from(["firm", "client", "external"]),
        st.tuples(st.integers(0, 2), st.sampled_from([None, 0, 1]), st.integers(0, 30)),
    ),
)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(operations, min_size=1, max_size=6))
def test_a_rebuild_gives_exactly_what_the_increments_gave(engine: Engine, sequence: list) -> None:
    empty_all_tables(engine)  # Hypothesis runs many examples within one test
    with Session(engine, expire_on_commit=False) as session:
        lines = [make_service_line(session) for _ in range(3)]
        account = make_account(session)
        people = [make_contact(session, account) for _ in range(2)]
        for kind, first, second, third in sequence:
            if kind == "engagement":
                make_engagement(
                    session, account, status=first, service_line_ids=[lines[second].id],
                    contact_ids=[people[i].id for i in third],
                )  # fmt: skip
            else:
                line, person, days = third
                make_touchpoint(
                    session, account, kind=first, initiative=second,
                    service_line_id=lines[line].id,
                    contact_id=None if person is None else people[person].id,
                    occurred_at=NOW - timedelta(days=days),
                )  # fmt: skip
        incremental = snapshot(session)
        rebuild_awareness(session, now=NOW)
        assert snapshot(session) == incremental
