"""Planning on a real database: the preview says who would receive what and why and writes
nothing, it reads a fixed number of statements whatever the segment's size, and a test send goes
to the marketer alone as a transactional e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from advocacy.domain.campaigns import HoldReason
from advocacy.domain.errors import RuleError
from advocacy.models import (
    ContactLineAwareness,
    ContentItemCreate,
    Enrolment,
    OutboxMessage,
    StepRecord,
    User,
)
from advocacy.services.content.items import create_item
from advocacy.services.nurture import planner
from advocacy.settings import Settings
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import (
    make_account,
    make_engagement,
    make_mail_contact,
    make_service_line,
    make_user,
)
from tests.factories_nurture import make_campaign


def build_firm(session: Session, accounts: int) -> dict[str, Any]:
    """Accounts between engagements that bought Tax; Transfer pricing has an article."""
    marketer = make_user(session, role="marketing", password=None)
    tax, tp = make_service_line(session, "Tax"), make_service_line(session, "Transfer pricing")
    item = create_item(
        session,
        ContentItemCreate.model_validate(
            {
                "kind": "article",
                "title": "Transfer pricing after the reform",
                "url": "https://insights.firm.example/tp",
                "summary": "What changes for groups with foreign subsidiaries.",
                "service_line_ids": [tp.id],
            }
        ),
        by=marketer,
        now=NOW,
    )
    contacts = []
    for number in range(accounts):
        account = make_account(session, industry="Logistics", stage="between")
        contact = make_mail_contact(session, account, timezone="Europe/Paris")
        make_engagement(session, account, status="completed", service_line_ids=[tax.id])
        if number % 2:  # half of them bought Transfer pricing as well
            make_engagement(session, account, status="completed", service_line_ids=[tp.id])
        contacts.append(contact)
    campaign = make_campaign(
        session, marketer, [{"kind": "next_line_email"}, {"kind": "wait", "wait_days": 14}]
    )
    return {
        "marketer": marketer,
        "campaign": campaign,
        "item": item,
        "tax": tax,
        "tp": tp,
        "contacts": contacts,
    }


def rows(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_preview_says_who_gets_which_line_and_why_and_writes_nothing(
    session: Session, settings: Settings
) -> None:
    firm = build_firm(session, 4)
    before = [
        rows(session, m) for m in (Enrolment, StepRecord, OutboxMessage, ContactLineAwareness)
    ]
    report = planner.preview_campaign(session, firm["campaign"].id, now=NOW, settings=settings)
    session.rollback()
    assert [
        rows(session, m) for m in (Enrolment, StepRecord, OutboxMessage, ContactLineAwareness)
    ] == before
    contacts = firm["contacts"]
    assert set(report.enrolled) == {c.id for c in contacts}
    # Those who bought only Tax get Transfer pricing; those who bought both have nothing left.
    introduced = {s.contact_id: (s.service_line_id, s.content_item_id) for s in report.sends}
    assert introduced == {c.id: (firm["tp"].id, firm["item"].id) for c in contacts[0::2]}
    assert all(s.reason["reasons"] for s in report.sends)
    assert {h.contact_id: h.reason for h in report.held_back} == {
        c.id: HoldReason.NO_NEXT_LINE for c in contacts[1::2]
    }


def test_the_preview_reads_the_same_statements_whatever_the_segment_size(
    engine: Engine, app: Any
) -> None:
    counts = []
    with app.app_context():
        settings = app.config["ADVOCACY"]
        for accounts in (2, 8):
            empty_all_tables(engine)
            with Session(engine, expire_on_commit=False) as session:
                firm = build_firm(session, accounts)
                with count_queries(engine) as statements:
                    report = planner.preview_campaign(
                        session, firm["campaign"].id, now=NOW, settings=settings
                    )
                assert len(report.enrolled) == accounts
                counts.append(len(statements))
    assert counts[0] == counts[1] <= 30


def test_a_test_send_goes_to_the_marketer_alone_and_enrols_nobody(
    session: Session, settings: Settings
) -> None:
    firm = build_firm(session, 2)
    result = planner.send_test(
        session, firm["campaign"].id, 1, firm["marketer"], NOW, settings=settings
    )
    message = session.get(OutboxMessage, result.message_id)
    assert message is not None
    assert (message.to_email, message.category, message.template) == (
        firm["marketer"].email,
        "transactional",
        "nurture_next_line",
    )
    assert "Transfer pricing after the reform" in message.html_body
    assert "https://insights.firm.example/tp" in message.text_body
    assert rows(session, Enrolment) == rows(session, StepRecord) == 0


def test_only_an_email_step_is_sent_as_a_test(session: Session, settings: Settings) -> None:
    firm = build_firm(session, 1)
    with pytest.raises(RuleError):
        planner.send_test(session, firm["campaign"].id, 2, firm["marketer"], NOW, settings=settings)


def test_an_account_manager_cannot_send_a_test(session: Session, settings: Settings) -> None:
    from advocacy.domain.errors import NotAllowed

    firm = build_firm(session, 1)
    manager: User = make_user(session, password=None)
    with pytest.raises(NotAllowed):
        planner.send_test(session, firm["campaign"].id, 1, manager, NOW, settings=settings)
