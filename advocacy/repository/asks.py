"""The facts the "may we ask this person?" rule needs, gathered in bulk for many contacts at once.

A list (reference matching, the library's reference-ready tab) costs the same handful of queries
whatever its length; one ask costs the same handful for one contact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

import sqlalchemy
from sqlmodel import Session, col, select

from advocacy.domain.advocacy_asks import Answer, AskFacts, AskPolicy
from advocacy.domain.cadence import CheckInKind, CheckInStatus
from advocacy.domain.journey import Camp
from advocacy.domain.mail import Category
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import SurveyKind
from advocacy.models import (
    Account,
    CheckIn,
    Contact,
    JourneySignal,
    OutboxMessage,
    Suppression,
    Survey,
    Testimonial,
)
from advocacy.repository.contact_selection import ContactSelection, among, core_rows, is_empty

DETRACTOR_SIGNAL = "detractor"
# E-mails that were (or may still be) delivered count as asks; refused ones never left.
NOT_DELIVERED = ("failed", "suppressed", "cancelled")
# The e-mails that ask for advocacy (a review link for words already given is not a new ask).
ASK_TEMPLATES = ("testimonial_ask", "referral_ask")


# Enum members by stored value: a dict lookup costs less than calling the enum, once per row.
CAMPS = {camp.value: camp for camp in Camp}
SURVEY_KINDS = {kind.value: kind for kind in SurveyKind}
STATUSES = {status.value: status for status in ContactStatus}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _flagged_accounts(session: Session, account_ids: Collection[int]) -> tuple[set[int], set[int]]:
    """Accounts with an open detractor signal, and accounts with an open repair conversation."""
    signals = set(
        core_rows(
            session,
            select(JourneySignal.account_id).where(
                JourneySignal.kind == DETRACTOR_SIGNAL,
                col(JourneySignal.resolved_at).is_(None),
                col(JourneySignal.account_id).in_(account_ids),
            ),
        ).scalars()
    )
    repairs = set(
        core_rows(
            session,
            select(CheckIn.account_id).where(
                CheckIn.kind == CheckInKind.REPAIR.value,
                CheckIn.status == CheckInStatus.OPEN.value,
                col(CheckIn.account_id).in_(account_ids),
            ),
        ).scalars()
    )
    return signals, repairs


def account_ask_facts(session: Session, account_ids: Collection[int]) -> dict[int, AskFacts]:
    """Per account, the account-level facts of the rule (camp, do-not-ask, open repair)."""
    if not account_ids:
        return {}
    accounts = core_rows(
        session,
        sqlalchemy.select(col(Account.id), col(Account.camp), col(Account.do_not_ask)).where(
            col(Account.id).in_(account_ids)
        ),
    )
    signals, repairs = _flagged_accounts(session, account_ids)
    return {
        account_id: AskFacts(
            account_id=account_id,
            camp=CAMPS[camp],
            do_not_ask=do_not_ask,
            open_detractor_signal=account_id in signals,
            open_repair=account_id in repairs,
        )
        for account_id, camp, do_not_ask in accounts
        if account_id is not None
    }


def ask_facts(
    session: Session, contact_ids: ContactSelection, *, now: datetime, policy: AskPolicy
) -> dict[int, AskFacts]:
    """Per contact, every fact the rule needs, in seven queries whatever the number of contacts."""
    if is_empty(contact_ids):
        return {}
    # The columns the rule reads, not whole rows: the score asks this of every contact nightly.
    contacts = core_rows(
        session,
        sqlalchemy.select(
            col(Contact.id), col(Contact.account_id), col(Contact.email), col(Contact.status)
        ).where(among(col(Contact.id), contact_ids)),
    ).all()
    accounts = account_ask_facts(session, {c.account_id for c in contacts})
    emails = {(c.email or "").lower() for c in contacts if c.email}
    suppressed: dict[str, set[str]] = defaultdict(set)
    if emails:
        for email, category, reason in core_rows(
            session,
            select(Suppression.email, Suppression.category, Suppression.reason).where(
                col(Suppression.email).in_(emails)
            ),
        ):
            suppressed[email].add(category)
            if reason == "bounce":
                suppressed[email].add("bounce")
    answers: dict[int, list[Answer]] = defaultdict(list)
    for contact_id, kind, score, at in core_rows(
        session,
        sqlalchemy.select(
            col(Survey.contact_id), col(Survey.kind), col(Survey.score), col(Survey.answered_at)
        ).where(
            among(col(Survey.contact_id), contact_ids),
            col(Survey.score).is_not(None),
            col(Survey.answered_at) >= now - timedelta(days=policy.detractor_days),
        ),
    ):
        if score is not None and at is not None:
            answers[contact_id].append(Answer(SURVEY_KINDS[kind], score, _aware(at)))
    objections: dict[int, list[datetime]] = defaultdict(list)
    since = now - timedelta(days=policy.objection_days)
    for contact_id, withdrawn_at in core_rows(
        session,
        sqlalchemy.select(col(Testimonial.contact_id), col(Testimonial.withdrawn_at)).where(
            among(col(Testimonial.contact_id), contact_ids),
            col(Testimonial.status) == "withdrawn",
            col(Testimonial.withdrawn_at) >= since,
        ),
    ):
        if withdrawn_at is not None:  # the query keeps only withdrawn rows
            objections[contact_id].append(_aware(withdrawn_at))
    asked: dict[int, list[datetime]] = defaultdict(list)
    for asked_id, queued_at in core_rows(
        session,
        sqlalchemy.select(col(OutboxMessage.contact_id), col(OutboxMessage.queued_at)).where(
            among(col(OutboxMessage.contact_id), contact_ids),
            col(OutboxMessage.category) == Category.ADVOCACY_ASK.value,
            col(OutboxMessage.template).in_(ASK_TEMPLATES),
            col(OutboxMessage.status).not_in(NOT_DELIVERED),
            col(OutboxMessage.queued_at) >= now - timedelta(days=policy.rest_days),
        ),
    ):
        if asked_id is not None:
            asked[asked_id].append(_aware(queued_at))
    found = {}
    for contact in contacts:
        assert contact.id is not None
        account = accounts[contact.account_id]
        found[contact.id] = AskFacts(
            account_id=contact.account_id,
            camp=account.camp,
            do_not_ask=account.do_not_ask,
            open_detractor_signal=account.open_detractor_signal,
            open_repair=account.open_repair,
            contact_id=contact.id,
            status=STATUSES[contact.status],
            has_address=bool(contact.email),
            suppressed=frozenset(suppressed[(contact.email or "").lower()]),
            answers=tuple(answers[contact.id]),
            objections=tuple(objections[contact.id]),
            asked=tuple(asked[contact.id]),
        )
    return found
