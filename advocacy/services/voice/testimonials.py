"""The firm's side of testimonials: ask for one, take one down in an interview, approve, publish,
withdraw on the client's behalf, edit (which goes back to the client), tag, and expire.

Rules live in advocacy.domain.testimonials; client actions in services.testimonial_consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain import testimonials as rules
from advocacy.domain.access import MARKETERS
from advocacy.domain.audit import Action
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.testimonials import Status, Use
from advocacy.domain.text import N_
from advocacy.domain.webhooks import EventType
from advocacy.models import Account, Contact, PermissionChange, Testimonial, User
from advocacy.repository import audit, get_row
from advocacy.repository.journey import existing_service_line_ids
from advocacy.repository.testimonials import (
    as_permissions,
    get_testimonial,
    name_of_contact,
    open_testimonials_with_expiry,
    permissions_of,
    set_service_lines,
)
from advocacy.services.journey.accounts import check_may_edit
from advocacy.services.mail.queue import QueueResult
from advocacy.services.voice import testimonial_mail
from advocacy.services.voice.testimonial_consent import render_body
from advocacy.services.webhooks import events as webhook_events
from advocacy.settings import Settings


@dataclass(frozen=True)
class Interview:
    """What an account manager took down, for the client to approve."""

    contact_id: int
    body: str
    rating: int | None = None
    display_title: str = ""


@dataclass(frozen=True)
class ExpiryReport:
    permissions: int
    testimonials: int


def _check_marketing(user: User) -> None:
    if Role(user.role) not in MARKETERS:
        raise NotAllowed(N_("Only marketing or an administrator may do this."))


def _queued_or_refused(session: Session, result: QueueResult) -> None:
    """An e-mail the rules refuse leaves nothing behind: no testimonial, no link."""
    if result.refusal is not None:
        session.rollback()
        raise RuleError(str(result.refusal.value))
    session.commit()


def _contact_at(session: Session, account: Account, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.account_id != account.id:
        raise RuleError(N_("Choose a contact of this account."))
    return contact


def ask_for_testimonial(
    session: Session,
    settings: Settings,
    account_id: int,
    contact_id: int,
    *,
    by: User,
    now: datetime,
) -> QueueResult:
    """E-mail a contact a link to write a testimonial, if they may be asked."""
    account = get_row(session, Account, account_id)
    check_may_edit(session, account, by)
    contact = _contact_at(session, account, contact_id)
    result = testimonial_mail.queue_ask(session, settings, account, contact, now=now)
    _queued_or_refused(session, result)
    return result


def record_interview(
    session: Session,
    settings: Settings,
    account_id: int,
    interview: Interview,
    *,
    by: User,
    now: datetime,
) -> Testimonial:
    """Keep a testimonial taken down by staff and e-mail the client the link to approve it."""
    account = get_row(session, Account, account_id)
    check_may_edit(session, account, by)
    contact = _contact_at(session, account, interview.contact_id)
    testimonial_mail.check_may_ask(session, contact, now=now, interview=True)
    body = rules.check_body(interview.body)
    rules.check_rating(interview.rating)
    testimonial = Testimonial(
        account_id=account_id,
        contact_id=contact.id or 0,
        origin="interview",
        status=Status.AWAITING_CLIENT.value,
        body=body,
        body_html=render_body(body),
        rating=interview.rating,
        display_name=name_of_contact(session, contact),
        display_title=(interview.display_title or contact.title)[: rules.MAX_DISPLAY_LENGTH],
        display_company=account.name,
        industry=account.industry or "",
        created_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(testimonial)
    session.flush()
    result = testimonial_mail.queue_review(session, settings, testimonial, contact, now=now)
    _queued_or_refused(session, result)
    return testimonial


def _record(
    session: Session, action: Action, testimonial: Testimonial, to: Status, by: User, now: datetime
) -> None:
    audit.record(
        session,
        action,
        actor=audit.user_actor(by),
        subject=("testimonial", testimonial.id),
        details={"from": testimonial.status, "to": to.value},
        now=now,
    )


def approve(session: Session, testimonial_id: int, *, by: User, now: datetime) -> Testimonial:
    """Marketing agrees the testimonial may be used (within the client's permissions)."""
    _check_marketing(by)
    testimonial = get_testimonial(session, testimonial_id)
    rules.check_move(testimonial.status, Status.APPROVED)
    _record(session, Action.TESTIMONIAL_APPROVED, testimonial, Status.APPROVED, by, now)
    testimonial.status, testimonial.approved_by_id = Status.APPROVED.value, by.id
    testimonial.approved_at = testimonial.updated_at = now
    session.commit()
    return testimonial


def publish(session: Session, testimonial_id: int, *, by: User, now: datetime) -> Testimonial:
    """Marketing publishes an approved testimonial."""
    _check_marketing(by)
    testimonial = get_testimonial(session, testimonial_id)
    rules.check_move(testimonial.status, Status.PUBLISHED)
    _record(session, Action.TESTIMONIAL_PUBLISHED, testimonial, Status.PUBLISHED, by, now)
    testimonial.status = Status.PUBLISHED.value
    testimonial.published_at = testimonial.updated_at = now
    webhook_events.testimonial_changed(
        session, testimonial, EventType.TESTIMONIAL_PUBLISHED, now=now
    )
    session.commit()
    return testimonial


def withdraw_on_behalf(
    session: Session, testimonial_id: int, reason: str, *, by: User, now: datetime
) -> Testimonial:
    """The client asked us (by phone, by letter) to withdraw: every use ends, the reason is kept."""
    testimonial = get_testimonial(session, testimonial_id)
    reason = " ".join(reason.split())[: rules.MAX_REASON_LENGTH]
    if not reason:
        raise RuleError(N_("Say why the testimonial is withdrawn (who asked, and how)."))
    rules.check_move(testimonial.status, Status.WITHDRAWN)
    _record(session, Action.TESTIMONIAL_WITHDRAWN, testimonial, Status.WITHDRAWN, by, now)
    for row in permissions_of(session, testimonial_id):
        if row.withdrawn_at is None:
            row.withdrawn_at = now
            session.add(
                PermissionChange(
                    testimonial_id=testimonial_id,
                    contact_id=testimonial.contact_id,
                    use=row.use,
                    action="withdraw",
                    expires_on=row.expires_on,
                    wording=reason,
                    via="staff",
                    by_user_id=by.id,
                    at=now,
                )
            )
    testimonial.status, testimonial.proposed_body = Status.WITHDRAWN.value, ""
    testimonial.withdrawn_at = testimonial.updated_at = now
    webhook_events.testimonial_changed(
        session, testimonial, EventType.TESTIMONIAL_WITHDRAWN, now=now
    )
    session.commit()
    return testimonial


def propose_edit(
    session: Session,
    settings: Settings,
    testimonial_id: int,
    body: str,
    *,
    by: User,
    now: datetime,
) -> Testimonial:
    """Keep the firm's edit aside and e-mail the client the difference to approve or reject."""
    testimonial = get_testimonial(session, testimonial_id)
    if Status(testimonial.status) not in rules.EDITABLE:
        raise RuleError(N_("This testimonial cannot be changed that way in its current state."))
    proposed = rules.check_body(body)
    if proposed == testimonial.body:
        raise RuleError(N_("The text is unchanged: there is nothing to send to the client."))
    contact = get_row(session, Contact, testimonial.contact_id)
    if not contact.email:
        raise RuleError(testimonial_mail.NO_ADDRESS)
    testimonial.proposed_body = proposed
    testimonial.status, testimonial.updated_at = Status.AWAITING_REAPPROVAL.value, now
    session.flush()
    result = testimonial_mail.queue_review(session, settings, testimonial, contact, now=now)
    _queued_or_refused(session, result)
    return testimonial


def set_tags(
    session: Session,
    testimonial_id: int,
    *,
    service_line_ids: set[int],
    industry: str,
    outcomes: str,
    by: User,
    now: datetime,
) -> Testimonial:
    """Service lines, industry and outcome tags, for finding the right testimonial later."""
    del by  # every staff role may tag; kept for the same signature as the other actions
    testimonial = get_testimonial(session, testimonial_id)
    unknown = service_line_ids - existing_service_line_ids(session, sorted(service_line_ids))
    if unknown:
        raise RuleError(N_("Choose service lines from the catalogue."))
    set_service_lines(session, testimonial_id, service_line_ids)
    testimonial.industry = " ".join(industry.split())[:80]
    testimonial.outcomes = ", ".join(rules.outcome_tags(outcomes))[: rules.MAX_OUTCOMES_LENGTH]
    testimonial.updated_at = now
    session.commit()
    return testimonial


def uses_today(session: Session, testimonial: Testimonial, *, now: datetime) -> frozenset[Use]:
    """What any surface may do with this testimonial today."""
    rows = permissions_of(session, testimonial.id or 0)
    return rules.usable_uses(testimonial.status, as_permissions(rows), now.date())


def expire_due(session: Session, *, now: datetime) -> ExpiryReport:
    """Mark permissions past their last day, and testimonials with no use left, as expired."""
    today = now.date()
    expired_permissions = expired_testimonials = 0
    for testimonial in open_testimonials_with_expiry(session):
        rows = permissions_of(session, testimonial.id or 0)
        states = as_permissions(rows)
        due = set(rules.newly_expired(states, today))
        for row in rows:
            if Use(row.use) not in due or row.withdrawn_at is not None:
                continue
            # The row ends like a withdrawal (every query sees it gone); its change row and its
            # date (after the last day) say it expired.
            row.withdrawn_at = now
            expired_permissions += 1
            session.add(
                PermissionChange(
                    testimonial_id=testimonial.id or 0,
                    contact_id=testimonial.contact_id,
                    use=row.use,
                    action="expiry",
                    expires_on=row.expires_on,
                    wording="",
                    via="staff",
                    at=now,
                )
            )
        if rules.expires_as_a_whole(testimonial.status, states, today):
            testimonial.status, testimonial.updated_at = Status.EXPIRED.value, now
            expired_testimonials += 1
    session.commit()
    return ExpiryReport(expired_permissions, expired_testimonials)
