"""Queries behind the referral pages: the pipeline list, one referral, and an account's attribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from advocacy.domain.referrals import WINNING_ENGAGEMENTS
from advocacy.models import Account, Contact, Engagement, Person, Referral, User
from advocacy.repository import get_row, journey


@dataclass(frozen=True)
class ReferralRow:
    """A referral with the names the pages show next to it."""

    referral: Referral
    referrer_name: str
    referrer_account_name: str
    owner: User | None
    prospect_account_name: str = ""


@dataclass
class ReferralPage:
    row: ReferralRow
    prospect_contact_name: str = ""
    engagements: list[Engagement] = field(default_factory=list)


_ReferrerAccount = aliased(Account)
_ProspectAccount = aliased(Account)


def _rows_query() -> Any:
    # Five columns: more than sqlmodel's typed `select` takes, so SQLAlchemy's own.
    return (
        sqlalchemy.select(
            Referral,
            col(Person.full_name),
            col(_ReferrerAccount.name),
            User,
            col(_ProspectAccount.name),
        )
        .join(Contact, col(Contact.id) == Referral.referrer_contact_id)
        .join(Person, col(Person.id) == Contact.person_id)
        .join(_ReferrerAccount, col(_ReferrerAccount.id) == Referral.referrer_account_id)
        .outerjoin(User, col(User.id) == Referral.owner_id)
        .outerjoin(_ProspectAccount, col(_ProspectAccount.id) == Referral.prospect_account_id)
    )


def _row(found: tuple[Referral, str, str, User | None, str | None]) -> ReferralRow:
    referral, referrer, referrer_account, owner, prospect = found
    return ReferralRow(referral, referrer, referrer_account, owner, prospect or "")


def list_referrals(
    session: Session, *, status: str = "", owner_id: int | None = None, limit: int = 200
) -> list[ReferralRow]:
    """The pipeline, newest first, optionally for one status or one owner."""
    query = _rows_query()
    if status:
        query = query.where(Referral.status == status)
    if owner_id is not None:
        query = query.where(Referral.owner_id == owner_id)
    query = query.order_by(col(Referral.created_at).desc(), col(Referral.id).desc()).limit(limit)
    return [_row(found) for found in session.exec(query)]


def referral_page(session: Session, referral_id: int) -> ReferralPage:
    """One referral, its prospect contact and the engagements won with the prospect account."""
    get_row(session, Referral, referral_id)
    found = session.exec(_rows_query().where(Referral.id == referral_id)).one()
    row = _row(found)
    referral = row.referral
    page = ReferralPage(row)
    if referral.prospect_contact_id:
        contact = session.get(Contact, referral.prospect_contact_id)
        person = session.get(Person, contact.person_id) if contact else None
        page.prospect_contact_name = person.full_name if person else ""
    if referral.prospect_account_id:
        page.engagements = [
            engagement
            for engagement in journey.engagements_of(session, referral.prospect_account_id)
            if engagement.status in WINNING_ENGAGEMENTS
        ]
    return page


def referrals_for_prospect(session: Session, account_id: int) -> list[ReferralRow]:
    """The referrals that brought in this account (the attribution its page shows)."""
    query = _rows_query().where(Referral.prospect_account_id == account_id)
    return [_row(found) for found in session.exec(query.order_by(col(Referral.id)))]


def open_referrals_of_prospect(session: Session, account_id: int) -> list[Referral]:
    """Referrals of this prospect account that are not won yet (helper for the won hook)."""
    query = select(Referral).where(
        Referral.prospect_account_id == account_id, Referral.status != "won"
    )
    return list(session.exec(query))


def contact_at_account_by_email(session: Session, account_id: int, email: str) -> Contact | None:
    query = select(Contact).where(Contact.account_id == account_id, Contact.email == email.lower())
    return session.exec(query.order_by(col(Contact.id))).first()
