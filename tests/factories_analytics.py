"""A small firm whose analytics are computed by hand (docs/metrics.md), built through the real
journey services with a date for every step. The expected numbers are in tests/services/
test_analytics_*.py, worked out from the story told here.

Service lines Tax and Audit; account managers Olivia and Bruno; an administrator.

- Alpha (Logistics, Olivia): first touch 2024-01-01. E1 Tax won 2024-01-20, starts 2024-02-01;
  completed 2024-06-30 (between). E2 Audit won 2024-12-27, starts 2025-01-06 (back: 180 days).
- Bravo (Logistics, Bruno): first touch 2024-03-01. E3 Tax proposed 2024-03-11, "not now"
  2024-04-10. E4 Tax won 2024-10-01, starts 2024-10-15; completed 2025-03-31 (between); former
  2025-09-30 "Moved the work in-house", good camp. Referrals given 2024-04-20 (Charlie) and
  2025-11-01. Survey comment "Great team".
- Charlie (Retail, Olivia), brought by Bravo's referral: first touch 2024-05-01. E5 Audit
  proposed 2024-05-01, "no way" 2024-05-31.
- Delta (Retail, Bruno): E6 Audit won 2023-05-20, starts 2023-06-01; completed 2023-12-31; former
  2024-12-31 "No budget this year", bad camp. Survey comment "Deadlines slipped."
- Echo (Logistics, Olivia): E7 Tax won 2025-01-15, starts 2025-02-01; completed 2025-06-30;
  E9 Tax won 2025-11-20, starts 2025-12-01 (back: 143 days, nothing new bought).
- Foxtrot (Retail, Bruno): E8 Tax won 2025-08-20, starts 2025-09-01.
- Golf (Mining, Bruno): E10 Audit won 2022-02-15, starts 2022-03-01; former 2023-06-30
  "moved the work in-house." (camp not known).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from advocacy.domain.journey import Camp, Stage
from advocacy.models import (
    Account,
    AccountCreate,
    EngagementCreate,
    EngagementUpdate,
    Referral,
    Survey,
    TouchpointCreate,
    User,
)
from advocacy.services.journey.accounts import add_account, move_account_to_stage, set_former_camp
from advocacy.services.journey.engagements import add_engagement_to, update_engagement
from advocacy.services.journey.touchpoints import add_touchpoint_to
from tests.factories import make_contact, make_service_line, make_user

NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(
        hour=10
    )


@dataclass(frozen=True)
class AnalyticsFirm:
    admin: User
    olivia: User
    bruno: User
    tax: int
    audit: int
    accounts: dict[str, int]


def build_firm(session: Session) -> AnalyticsFirm:
    """Build the story above; every row committed."""
    admin = make_user(session, role="admin", email="admin@analytics.example")
    olivia = make_user(session, email="olivia@analytics.example", name="Olivia")
    bruno = make_user(session, email="bruno@analytics.example", name="Bruno")
    tax = make_service_line(session, "Tax").id
    audit = make_service_line(session, "Audit").id
    ids: dict[str, int] = {}

    def account(name: str, industry: str, owner: User, day: str, *, source: str = "manual") -> int:
        data = AccountCreate(name=name, industry=industry, owner_id=owner.id)
        row = add_account(session, data, by=admin, now=at(day), source=source)
        session.commit()
        ids[name] = row.id or 0
        return ids[name]

    def touch(account_id: int, day: str) -> None:
        row = session.get_one(Account, account_id)
        data = TouchpointCreate(kind="call", initiative="firm", occurred_at=at(day))
        add_touchpoint_to(session, row, data, by=None, now=at(day))
        session.commit()

    def engage(account_id: int, line: int, day: str, status: str, **fields: object) -> int:
        row = session.get_one(Account, account_id)
        data = EngagementCreate(
            title=f"Mandate {day}", status=status, service_line_ids=[line], **fields
        )
        engagement = add_engagement_to(session, row, data, by=admin, now=at(day))
        session.commit()
        return engagement.id or 0

    def change(engagement_id: int, day: str, **fields: object) -> None:
        update_engagement(session, engagement_id, EngagementUpdate(**fields), by=admin, now=at(day))

    def leave(account_id: int, day: str, reason: str) -> None:
        move_account_to_stage(
            session, account_id, Stage.FORMER, reason=reason, by=admin, now=at(day)
        )

    alpha = account("Alpha", "Logistics", olivia, "2023-12-01")
    touch(alpha, "2024-01-01")
    e1 = engage(alpha, tax, "2024-01-20", "won", start_date=date(2024, 2, 1))
    change(e1, "2024-06-30", status="completed", end_date=date(2024, 6, 30))
    engage(alpha, audit, "2024-12-27", "won", start_date=date(2025, 1, 6))

    bravo = account("Bravo", "Logistics", bruno, "2024-02-15")
    touch(bravo, "2024-03-01")
    e3 = engage(bravo, tax, "2024-03-11", "proposed")
    change(e3, "2024-04-10", status="deferred", revisit_on=date(2024, 10, 1))
    e4 = engage(bravo, tax, "2024-10-01", "won", start_date=date(2024, 10, 15))
    change(e4, "2025-03-31", status="completed", end_date=date(2025, 3, 31))
    leave(bravo, "2025-09-30", "Moved the work in-house")
    set_former_camp(
        session, bravo, Camp.GOOD, reason="Happy with the work", by=admin, now=at("2025-09-30")
    )

    charlie = account("Charlie", "Retail", olivia, "2024-04-20", source="referral")
    touch(charlie, "2024-05-01")
    e5 = engage(charlie, audit, "2024-05-01", "proposed")
    change(e5, "2024-05-31", status="lost")

    delta = account("Delta", "Retail", bruno, "2023-05-01")
    e6 = engage(delta, audit, "2023-05-20", "won", start_date=date(2023, 6, 1))
    change(e6, "2023-12-31", status="completed", end_date=date(2023, 12, 31))
    leave(delta, "2024-12-31", "No budget this year")
    set_former_camp(
        session, delta, Camp.BAD, reason="Missed deadlines", by=admin, now=at("2024-12-31")
    )

    echo = account("Echo", "Logistics", olivia, "2025-01-01")
    e7 = engage(echo, tax, "2025-01-15", "won", start_date=date(2025, 2, 1))
    change(e7, "2025-06-30", status="completed", end_date=date(2025, 6, 30))
    engage(echo, tax, "2025-11-20", "won", start_date=date(2025, 12, 1))

    foxtrot = account("Foxtrot", "Retail", bruno, "2025-08-01")
    engage(foxtrot, tax, "2025-08-20", "won", start_date=date(2025, 9, 1))

    golf = account("Golf", "Mining", bruno, "2022-02-01")
    engage(golf, audit, "2022-02-15", "won", start_date=date(2022, 3, 1))
    leave(golf, "2023-06-30", "moved the work in-house.")

    ben = make_contact(session, session.get_one(Account, bravo), full_name="Ben")
    dora = make_contact(session, session.get_one(Account, delta), full_name="Dora")
    for day, prospect in (("2024-04-20", charlie), ("2025-11-01", None)):
        session.add(
            Referral(
                referrer_contact_id=ben.id,
                referrer_account_id=bravo,
                name="Someone",
                company="Charlie" if prospect else "Newco",
                prospect_account_id=prospect,
                created_at=at(day),
                updated_at=at(day),
            )
        )
    for contact, account_id, comment, score in (
        (ben, bravo, "Great team", 10),
        (dora, delta, "Deadlines slipped.", 3),
    ):
        session.add(
            Survey(
                key=f"analytics-{contact.id}",
                account_id=account_id,
                contact_id=contact.id,
                kind="nps",
                trigger="on_demand",
                status="answered",
                score=score,
                comment=comment,
                created_at=at("2025-01-10"),
                updated_at=at("2025-01-10"),
                answered_at=at("2025-01-10"),
            )
        )
    session.commit()
    return AnalyticsFirm(admin, olivia, bruno, tax, audit, ids)
