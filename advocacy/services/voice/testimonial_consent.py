"""What clients do through their links: write a testimonial, approve one taken from an interview,
answer the firm's edit, and change permissions or withdraw from the "manage my contributions" page.

Every permission given or taken back appends a `PermissionChange` with the wording the client
read, the time and the link; withdrawal is written at once, so every later surface sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from advocacy.adapters import images
from advocacy.adapters.rich_text import render_markdown
from advocacy.domain import testimonials as rules
from advocacy.domain.audit import Action, Actor, client_link_actor
from advocacy.domain.errors import RuleError
from advocacy.domain.testimonials import Status, Use
from advocacy.domain.text import N_
from advocacy.domain.webhooks import EventType
from advocacy.models import (
    Account,
    ClientLink,
    Contact,
    PermissionChange,
    Survey,
    Testimonial,
    TestimonialPermission,
    User,
)
from advocacy.repository import audit
from advocacy.repository.testimonials import name_of_contact, permissions_of
from advocacy.services.access.client_links import resolve_link
from advocacy.services.scoring import recompute
from advocacy.services.webhooks import events as webhook_events

NEW_PURPOSE = "testimonial"
MANAGE_PURPOSE = "manage"
REVIEW_OBJECT = "testimonial"  # a testimonial link naming a testimonial: approve or re-approve


@dataclass(frozen=True)
class ClientSide:
    """Who a link speaks for: the contact, their account and their name."""

    link: ClientLink
    contact: Contact
    account: Account
    name: str

    @property
    def language(self) -> str:
        return self.contact.language


@dataclass
class Choices:
    """The uses ticked on a client form (with their optional last day) and the wording shown."""

    uses: dict[Use, date | None]
    wording: Mapping[Use, str]


@dataclass
class Draft:
    """A testimonial as typed on the client form."""

    body: str
    rating: int | None
    display_name: str
    display_title: str
    display_company: str
    choices: Choices
    photo: bytes | None = None
    logo: bytes | None = None
    errors: dict[str, str] = field(default_factory=dict)


def render_body(body: str) -> str:
    """The sanitised HTML of a testimonial's limited Markdown."""
    return render_markdown(body)


def _client_side(session: Session, link: ClientLink | None) -> ClientSide | None:
    if link is None or link.contact_id is None:
        return None
    contact = session.get(Contact, link.contact_id)
    if contact is None:
        return None
    account = session.get(Account, contact.account_id)
    if account is None:
        return None
    return ClientSide(link, contact, account, name_of_contact(session, contact))


def new_link(session: Session, token: str, *, now: datetime) -> ClientSide | None:
    """The live, unused link to write a new testimonial, or None."""
    link = resolve_link(session, token, purpose=NEW_PURPOSE, now=now, unused=True)
    if link is None or link.object_type == REVIEW_OBJECT:
        return None
    return _client_side(session, link)


def review_link(
    session: Session, token: str, *, now: datetime
) -> tuple[ClientSide, Testimonial] | None:
    """The live, unused link to approve a testimonial or answer an edit, with it; or None."""
    link = resolve_link(session, token, purpose=NEW_PURPOSE, now=now, unused=True)
    if link is None or link.object_type != REVIEW_OBJECT:
        return None
    side = _client_side(session, link)
    testimonial = session.get(Testimonial, link.object_id) if link.object_id else None
    if side is None or testimonial is None or testimonial.contact_id != side.contact.id:
        return None
    if testimonial.status not in (Status.AWAITING_CLIENT, Status.AWAITING_REAPPROVAL):
        return None
    return side, testimonial


def manage_link(session: Session, token: str, *, now: datetime) -> ClientSide | None:
    """The live "manage my contributions" link (it may be used many times), or None."""
    return _client_side(session, resolve_link(session, token, purpose=MANAGE_PURPOSE, now=now))


def check_choices(choices: Choices, today: date) -> None:
    for expires_on in choices.uses.values():
        rules.check_expiry(expires_on, today)


def apply_choices(
    session: Session,
    testimonial: Testimonial,
    choices: Choices,
    *,
    via: str,
    now: datetime,
    link_id: int | None = None,
    by_user_id: int | None = None,
) -> list[PermissionChange]:
    """Make the permissions match `choices`; one change row per use given, changed or taken back
    (helper: flushes only)."""
    assert testimonial.id is not None
    today = now.date()
    rows = {Use(row.use): row for row in permissions_of(session, testimonial.id)}
    changes: list[PermissionChange] = []

    def record(use: Use, action: str, expires_on: date | None) -> None:
        change = PermissionChange(
            testimonial_id=testimonial.id or 0,
            contact_id=testimonial.contact_id,
            use=use.value,
            action=action,
            expires_on=expires_on,
            wording=choices.wording.get(use, rules.USE_WORDING[use]),
            via=via,
            link_id=link_id,
            by_user_id=by_user_id,
            at=now,
        )
        session.add(change)
        changes.append(change)

    for use in Use:
        row = rows.get(use)
        live = row is not None and rules.Permission(
            use, row.expires_on, bool(row.withdrawn_at)
        ).live_on(today)
        if use in choices.uses:
            expires_on = choices.uses[use]
            if row is not None and live and row.expires_on == expires_on:
                continue
            if row is None:
                row = TestimonialPermission(
                    testimonial_id=testimonial.id, use=use.value, granted_at=now
                )
                session.add(row)
            row.expires_on, row.withdrawn_at, row.granted_at = expires_on, None, now
            record(use, "grant", expires_on)
        elif row is not None and live:
            row.withdrawn_at = now
            record(use, "withdraw", row.expires_on)
    session.flush()
    if changes:
        audit.record(
            session,
            Action.TESTIMONIAL_PERMISSION_CHANGED,
            actor=_actor(session, testimonial, by_user_id),
            subject=("testimonial", testimonial.id),
            details={
                "granted": _uses(changes, "grant"),
                "withdrawn": _uses(changes, "withdraw"),
                "source": via,
            },
            now=now,
        )
    return changes


def _uses(changes: list[PermissionChange], action: str) -> str:
    return " ".join(sorted(change.use for change in changes if change.action == action))


def _actor(session: Session, testimonial: Testimonial, by_user_id: int | None) -> Actor:
    user = session.get(User, by_user_id) if by_user_id is not None else None
    return audit.user_actor(user) if user else client_link_actor(testimonial.contact_id)


def _pictures(draft: Draft) -> tuple[images.Picture | None, images.Picture | None]:
    """Both uploads checked before anything is written: one bad file refuses the whole form."""
    found: dict[str, images.Picture | None] = {}
    for name, data in (("photo", draft.photo), ("logo", draft.logo)):
        try:
            found[name] = images.reencode(data) if data else None
        except RuleError as error:
            draft.errors[name] = error.message
    if draft.errors:
        raise RuleError(N_("Please correct the marked fields."))
    return found["photo"], found["logo"]


def _display(draft: Draft) -> tuple[str, str, str]:
    limit = rules.MAX_DISPLAY_LENGTH
    return (
        " ".join(draft.display_name.split())[:limit],
        " ".join(draft.display_title.split())[:limit],
        " ".join(draft.display_company.split())[:limit],
    )


def submit_testimonial(
    session: Session, token: str, draft: Draft, *, store: images.PictureStore, now: datetime
) -> Testimonial | None:
    """Keep what the client wrote and the uses they allowed; the link is then spent.

    None when the link is unknown, expired or already used; RuleError when the form is wrong.
    """
    side = new_link(session, token, now=now)
    if side is None:
        return None
    body = rules.check_body(draft.body)
    rules.check_rating(draft.rating)
    check_choices(draft.choices, now.date())
    photo, logo = _pictures(draft)
    name, title, company = _display(draft)
    survey_id = None
    if side.link.object_type == "survey" and side.link.object_id is not None:
        survey = session.get(Survey, side.link.object_id)
        survey_id = survey.id if survey and survey.contact_id == side.contact.id else None
    testimonial = Testimonial(
        account_id=side.account.id or 0,
        contact_id=side.contact.id or 0,
        survey_id=survey_id,
        origin="client",
        status=Status.SUBMITTED.value,
        body=body,
        body_html=render_body(body),
        rating=draft.rating,
        display_name=name or side.name,
        display_title=title,
        display_company=company or side.account.name,
        industry=side.account.industry or "",
        photo_path=store.save(photo) if photo else "",
        logo_path=store.save(logo) if logo else "",
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    session.add(testimonial)
    session.flush()
    apply_choices(session, testimonial, draft.choices, via="link", link_id=side.link.id, now=now)
    side.link.used_at = now
    recompute.rescore(session, [testimonial.contact_id], now=now)
    session.commit()
    return testimonial


def approve_interview(
    session: Session, token: str, draft: Draft, *, store: images.PictureStore, now: datetime
) -> Testimonial | None:
    """The client agrees to the text staff took down, with their display fields and uses."""
    found = review_link(session, token, now=now)
    if found is None:
        return None
    side, testimonial = found
    if testimonial.status != Status.AWAITING_CLIENT:
        raise RuleError(N_("This testimonial cannot be changed that way in its current state."))
    rules.check_rating(draft.rating)
    check_choices(draft.choices, now.date())
    photo, logo = _pictures(draft)
    name, title, company = _display(draft)
    testimonial.display_name = name or side.name
    testimonial.display_title, testimonial.display_company = title, company or side.account.name
    testimonial.rating = draft.rating if draft.rating is not None else testimonial.rating
    if photo:
        testimonial.photo_path = store.save(photo)
    if logo:
        testimonial.logo_path = store.save(logo)
    testimonial.status, testimonial.submitted_at, testimonial.updated_at = "submitted", now, now
    apply_choices(session, testimonial, draft.choices, via="link", link_id=side.link.id, now=now)
    side.link.used_at = now
    session.commit()
    return testimonial


def answer_edit(session: Session, token: str, *, accept: bool, now: datetime) -> Testimonial | None:
    """The client accepts the firm's edit (it becomes the text) or rejects it (the old text stays)."""
    found = review_link(session, token, now=now)
    if found is None or found[1].status != Status.AWAITING_REAPPROVAL:
        return None
    side, testimonial = found
    back = rules.status_after_reapproval(
        approved_before=testimonial.approved_at is not None,
        published_before=testimonial.published_at is not None,
    )
    rules.check_move(testimonial.status, back)
    if accept:
        testimonial.body = testimonial.proposed_body
        testimonial.body_html = render_body(testimonial.body)
    testimonial.proposed_body = ""
    testimonial.status, testimonial.updated_at = back.value, now
    side.link.used_at = now
    session.commit()
    return testimonial


def _own(session: Session, side: ClientSide, testimonial_id: int) -> Testimonial | None:
    testimonial = session.get(Testimonial, testimonial_id)
    if testimonial is None or testimonial.contact_id != side.contact.id:
        return None
    return testimonial


def change_permissions(
    session: Session, token: str, testimonial_id: int, choices: Choices, *, now: datetime
) -> Testimonial | None:
    """The client's new choice of uses, from the manage page; taking one back works at once."""
    side = manage_link(session, token, now=now)
    testimonial = _own(session, side, testimonial_id) if side else None
    if side is None or testimonial is None:
        return None
    if testimonial.status in (Status.WITHDRAWN, Status.EXPIRED):
        raise RuleError(
            N_("This testimonial was withdrawn or has expired: nothing can be changed.")
        )
    check_choices(choices, now.date())
    if apply_choices(session, testimonial, choices, via="link", link_id=side.link.id, now=now):
        testimonial.updated_at = now
        webhook_events.testimonial_changed(
            session, testimonial, EventType.TESTIMONIAL_CONSENT_CHANGED, now=now
        )
    session.commit()
    return testimonial


def withdraw_by_client(
    session: Session, token: str, testimonial_id: int, *, wording: Mapping[Use, str], now: datetime
) -> Testimonial | None:
    """The client takes the whole testimonial back: every use ends now, and so does the text."""
    side = manage_link(session, token, now=now)
    testimonial = _own(session, side, testimonial_id) if side else None
    if side is None or testimonial is None:
        return None
    if testimonial.status != Status.WITHDRAWN:
        rules.check_move(testimonial.status, Status.WITHDRAWN)
        audit.record(
            session,
            Action.TESTIMONIAL_WITHDRAWN,
            actor=client_link_actor(testimonial.contact_id),
            subject=("testimonial", testimonial.id),
            details={"from": testimonial.status, "to": Status.WITHDRAWN.value},
            now=now,
        )
        apply_choices(
            session, testimonial, Choices({}, wording), via="link", link_id=side.link.id, now=now
        )
        testimonial.status, testimonial.withdrawn_at, testimonial.updated_at = "withdrawn", now, now
        testimonial.proposed_body = ""
        recompute.rescore(session, [testimonial.contact_id], now=now)
        webhook_events.testimonial_changed(
            session, testimonial, EventType.TESTIMONIAL_WITHDRAWN, now=now
        )
        session.commit()
    return testimonial
