"""Check-in talking points chosen by the next-service-line ranking: at most two lines the client
has not bought nor been told about lately, each stored with its reason; a handful of queries per
run whatever the number of accounts; what was generated stays as it was."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, delete, select

from advocacy.domain.cadence import CadenceRules, CheckInStatus
from advocacy.models import AccountLineAwareness, CheckIn, ServiceLineIndustry
from advocacy.services.check_ins import generation
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_touchpoint,
    make_user,
)

RULES = CadenceRules()
# Accounts active since NOW have their first check-in due two weeks later, created a week ahead.
LATER = NOW + timedelta(days=7)


def _client(session: Session, owner: Any, lines: list[Any], industry: str = "Logistics") -> Any:
    account = make_account(session, owner=owner, industry=industry)
    make_contact(session, account)
    make_engagement(
        session, account, status="active", by=owner, service_line_ids=[line.id for line in lines]
    )
    return account


def _points(session: Session, account_id: int) -> dict[str, Any]:
    session.expire_all()
    check_in = session.exec(
        select(CheckIn).where(
            CheckIn.account_id == account_id, CheckIn.status == CheckInStatus.OPEN.value
        )
    ).one()
    return json.loads(check_in.talking_points_json)


def test_a_check_in_raises_at_most_two_lines_not_bought_nor_introduced_lately_with_reasons(
    session: Session,
) -> None:
    owner = make_user(session)
    tax, pricing, deals, esg, audit = (
        make_service_line(session, name)
        for name in ("Tax", "Transfer pricing", "Deals", "ESG reporting", "Audit")
    )
    # Audit hardly matters to logistics: left out whatever else is said about it.
    session.add(ServiceLineIndustry(service_line_id=audit.id, industry="Logistics", relevance=1))
    session.commit()
    for _ in range(3):
        _client(session, owner, [tax, deals])
    target = _client(session, owner, [tax])
    # Transfer pricing was presented to them six weeks before the check-in: not again yet.
    make_touchpoint(
        session, target, kind="meeting", initiative="firm", service_line_id=pricing.id,
        occurred_at=NOW - timedelta(days=30),
    )  # fmt: skip

    generation.generate_due(session, RULES, now=LATER)

    points = _points(session, target.id)
    assert "never_bought" not in points
    deals_point, esg_point = points["next_lines"]
    # Three of the four clients who bought Tax also bought Deals (too few logistics clients to
    # stand alone: the firm's figures).
    assert deals_point == {
        "service_line_id": deals.id,
        "name": "Deals",
        "reason": {
            "kind": "co_bought_firm_wide",
            "bought_line_id": tax.id,
            "share": 0.75,
            "count": 3,
            "out_of": 4,
        },
        "line_names": {str(tax.id): "Tax"},
    }
    assert esg_point["service_line_id"] == esg.id
    assert esg_point["reason"] == {"kind": "in_catalogue"}
    # The others' check-ins never raise what they bought either.
    for account_id in {row.account_id for row in session.exec(select(CheckIn))} - {target.id}:
        raised = {line["service_line_id"] for line in _points(session, account_id)["next_lines"]}
        assert len(raised) <= 2 and not raised & {tax.id, deals.id, audit.id}


def test_a_line_bought_is_never_raised_even_where_awareness_was_never_recorded(
    session: Session,
) -> None:
    owner = make_user(session)
    tax, deals = make_service_line(session, "Tax"), make_service_line(session, "Deals")
    target = _client(session, owner, [tax])
    # A database upgraded before awareness existed, and never rebuilt: no record at all.
    session.exec(delete(AccountLineAwareness))  # type: ignore[call-overload]
    session.commit()
    generation.generate_due(session, RULES, now=LATER)
    raised = [line["service_line_id"] for line in _points(session, target.id)["next_lines"]]
    assert raised == [deals.id]


def test_check_ins_already_generated_keep_the_points_they_were_given(session: Session) -> None:
    owner = make_user(session)
    tax, deals = make_service_line(session, "Tax"), make_service_line(session, "Deals")
    target = _client(session, owner, [tax])
    generation.generate_due(session, RULES, now=LATER)
    before = _points(session, target.id)
    # New evidence, a renamed line and a second run: the open check-in is left as it was.
    for _ in range(3):
        _client(session, owner, [tax, deals])
    make_service_line(session, "Audit")
    generation.generate_due(session, RULES, now=LATER + timedelta(days=1))
    assert _points(session, target.id) == before


def _firm(session: Session, accounts: int) -> None:
    owner = make_user(session)
    lines = [make_service_line(session) for _ in range(4)]
    for line in lines:
        session.add(ServiceLineIndustry(service_line_id=line.id, industry="Retail", relevance=4))
    session.commit()
    for number in range(accounts):
        bought = [lines[number % 4], lines[(number + 1) % 4]]
        account = _client(session, owner, bought, industry=("Retail", "Logistics")[number % 2])
        make_touchpoint(session, account, service_line_id=lines[2].id)


def test_generation_sends_the_same_queries_whatever_the_number_of_accounts(
    engine: Engine,
) -> None:
    counts = []
    for accounts in (3, 12):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            _firm(session, accounts)
            with count_queries(engine) as statements:
                report = generation.generate_due(session, RULES, now=LATER)
            assert report.created == accounts
            # Each check-in is inserted on its own (its returned id says it went in); every
            # read, the ranking's evidence included, is one statement per chunk or per run.
            reads = [s for s in statements if not s.lstrip().startswith("INSERT INTO check_ins")]
            counts.append(len(reads))
    assert counts[0] == counts[1]
