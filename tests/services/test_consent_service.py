"""Consent through the real services and database: the link, the preference page, webhook events
and staff all write the same suppression rows, and what the send path reads (suppressed_categories
+ suppressed_for) never allows a category the client withdrew."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.domain.consent import Reason, withdraw
from advocacy.domain.mail import ALL, CLIENT_FACING, Category, suppressed_for
from advocacy.domain.mail_events import parse_event
from advocacy.models import Suppression
from advocacy.repository.mail import suppressed_categories
from advocacy.services.mail import consent
from advocacy.services.mail.events import process_pending_events, store_events
from tests.conftest import NOW, empty_all_tables
from tests.factories import make_unsubscribe_link, make_user

EMAIL = "dana@client.example"
CATEGORIES = sorted(CLIENT_FACING)
ASM = {10 + n: category for n, category in enumerate(CATEGORIES)}
GROUP_OF = {category: group for group, category in ASM.items()}
_event_ids = itertools.count(1)


def webhook(session: Session, kind: str, **fields: object) -> None:
    raw = {"event": kind, "email": EMAIL, "sg_event_id": f"e{next(_event_ids)}", **fields}
    event = parse_event(raw, received_at=NOW)
    assert event is not None
    store_events(session, [event], now=NOW)
    process_pending_events(session, NOW, asm_groups=ASM)


def allowed_now(session: Session) -> set[Category]:
    found = suppressed_categories(session, EMAIL)
    return {c for c in CATEGORIES if not suppressed_for(c, found)}


def test_unsubscribe_all_through_a_link_stops_every_client_facing_category(
    session: Session,
) -> None:
    token = make_unsubscribe_link(session, EMAIL)
    recipient = consent.unsubscribe_all(session, token, now=NOW)
    assert recipient is not None and recipient.allowed == frozenset()
    assert allowed_now(session) == set()
    assert not suppressed_for(Category.TRANSACTIONAL, suppressed_categories(session, EMAIL))


def test_an_unknown_token_changes_nothing(session: Session) -> None:
    assert consent.unsubscribe_all(session, "nope", now=NOW) is None
    assert consent.set_preferences(session, "nope", set(), now=NOW) is None
    assert session.exec(select(Suppression)).all() == []


def test_preferences_report_what_the_client_cannot_turn_back_on(session: Session) -> None:
    token = make_unsubscribe_link(session, EMAIL)
    webhook(session, "spamreport")
    saved = consent.set_preferences(session, token, {Category.NURTURE}, now=NOW)
    assert saved is not None
    assert saved.still_held == {Category.NURTURE}
    assert saved.recipient.held == CLIENT_FACING


def test_staff_cannot_remove_what_the_client_chose(session: Session) -> None:
    staff = make_user(session, role="admin")
    token = make_unsubscribe_link(session, EMAIL)
    consent.unsubscribe_all(session, token, now=NOW)
    row = session.exec(select(Suppression)).one()
    with pytest.raises(consent.NotManual):
        consent.remove_manual_suppression(session, row.id, by=staff, now=NOW)


operations = st.one_of(
    st.tuples(st.just("one_click"), st.just(ALL)),
    st.tuples(st.just("choose"), st.frozensets(st.sampled_from(CATEGORIES))),
    st.tuples(st.just("group_unsubscribe"), st.sampled_from(CATEGORIES)),
    st.tuples(st.just("group_resubscribe"), st.sampled_from(CATEGORIES)),
    st.tuples(st.sampled_from(["unsubscribe", "spamreport", "bounce"]), st.just(ALL)),
    st.tuples(st.just("staff_add"), st.sampled_from([ALL, *CATEGORIES])),
    st.just(("staff_remove", ALL)),
)


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(operations, min_size=1, max_size=8))
def test_no_sequence_of_changes_lets_mail_through_that_the_client_withdrew(
    engine: Engine, sequence: list[tuple]
) -> None:
    empty_all_tables(engine)  # Hypothesis runs many examples within one test
    with Session(engine, expire_on_commit=False) as session:
        staff = make_user(session, role="admin")
        token = make_unsubscribe_link(session, EMAIL)
        said: dict[Category, bool] = {}
        for kind, value in sequence:
            if kind == "one_click":
                consent.unsubscribe_all(session, token, now=NOW)
                said.update(dict.fromkeys(CATEGORIES, False))
            elif kind == "choose":
                consent.set_preferences(session, token, value, now=NOW)
                said.update({c: c in value for c in CATEGORIES})
            elif kind == "group_unsubscribe":
                webhook(session, kind, asm_group_id=GROUP_OF[value])
                said[value] = False
            elif kind == "group_resubscribe":
                webhook(session, kind, asm_group_id=GROUP_OF[value])
                said[value] = True
            elif kind in {"unsubscribe", "spamreport"}:
                webhook(session, kind)
                said.update(dict.fromkeys(CATEGORIES, False))
            elif kind == "bounce":
                webhook(session, kind, type="bounce")
            elif kind == "staff_add":
                blocks = consent.blocks_of(session, EMAIL)
                consent.apply_blocks(
                    session, EMAIL, withdraw(blocks, value, Reason.MANUAL), source="t", now=NOW
                )
                session.commit()
            else:
                for row in session.exec(select(Suppression).where(Suppression.reason == "manual")):
                    consent.remove_manual_suppression(session, row.id, by=staff, now=NOW)
            allowed = allowed_now(session)
            withdrawn = {c for c, wanted in said.items() if not wanted}
            assert not (allowed & withdrawn), (kind, value, allowed, withdrawn)
