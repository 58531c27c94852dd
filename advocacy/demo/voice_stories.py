"""The demo's client voice, story by story: what each client and colleague does, through the
product's own services (the stage they play on is voice_play.Play).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from advocacy.adapters.images import PictureStore
from advocacy.adapters.translations import speaking
from advocacy.demo.people import ascii_slug
from advocacy.demo.voice_play import (
    Client,
    Fate,
    Play,
    Story,
    SurveyPlan,
    Writing,
)
from advocacy.demo.voice_text import (
    PUBLIC_USES,
    REFERRAL_LOST,
    REFERRAL_THANKS,
    Introduction,
    Prospect,
)
from advocacy.domain.disclosure import Audience
from advocacy.domain.referrals import ReferralStatus
from advocacy.domain.surveys import SurveyStatus
from advocacy.domain.testimonials import USE_WORDING, Use
from advocacy.models import Contact, Referral, ServiceLine, Testimonial, User
from advocacy.repository import journey
from advocacy.repository.references import BOUGHT
from advocacy.repository.testimonials import as_permissions, permissions_of
from advocacy.services.library import showcase
from advocacy.services.voice import references, referrals, testimonial_mail, testimonials
from advocacy.services.voice.survey_answers import answer_survey
from advocacy.services.voice.surveys import send_on_demand
from advocacy.services.voice.testimonial_consent import (
    Choices,
    Draft,
    approve_interview,
    change_permissions,
    submit_testimonial,
    withdraw_by_client,
)
from advocacy.settings import LANGUAGES, Settings


def _wording(contact: Contact, settings: Settings) -> dict[Use, str]:
    """The permission wording as the client read it, in their language (kept in the record)."""
    language = contact.language if contact.language in LANGUAGES else settings.default_language
    with speaking(language) as translate:
        return {use: translate(text) for use, text in USE_WORDING.items()}


def _choices(play: Play, client: Client, uses: Iterable[tuple[Use, int | None]]) -> Choices:
    today = play.clock.date()
    return Choices(
        {use: today + timedelta(days=days) if days else None for use, days in uses},
        _wording(client.contact, play.settings),
    )


def _lines_bought(session: Session, account_id: int) -> list[ServiceLine]:
    """The service lines the account bought, most bought first (what a client speaks about)."""
    bought = Counter(
        line_id
        for engagement in journey.engagements_of(session, account_id)
        if engagement.status in BOUGHT and engagement.id is not None
        for line_id in journey.service_line_ids_of(session, engagement.id)
    )
    return [journey.get_service_line(session, line) for line, _n in bought.most_common()]


def write_testimonial(play: Play, token: str, client: Client, writing: Writing) -> Story:
    """The client writes on their link's page, then marketing and the client take it from there."""
    lines = _lines_bought(play.session, client.account.id or 0)
    topic = lines[0].name if lines else "project"
    draft = Draft(
        body=writing.quote.body.format(line=topic),
        rating=writing.rating,
        display_name="",  # the service puts the client's own name and company
        display_title=client.contact.title,
        display_company="",
        choices=_choices(play, client, writing.uses),
    )
    store = PictureStore(Path(play.settings.instance_path) / "uploads")  # no pictures in the demo
    testimonial = submit_testimonial(play.session, token, draft, store=store, now=play.clock)
    if testimonial is None:
        return
    play.tally("testimonials")
    testimonial_mail.queue_thanks(play.session, play.settings, testimonial, now=play.clock)
    yield from _after_writing(play, testimonial, client, writing, [line.id for line in lines[:2]])


def _after_writing(
    play: Play, testimonial: Testimonial, client: Client, writing: Writing, lines: list[int | None]
) -> Story:
    assert testimonial.id is not None
    if writing.fate is Fate.WITHDRAWN_EARLY:
        yield play.later(writing.review_after / 4, client.contact.timezone)
        _client_withdraws(play, testimonial, client)
        return
    yield play.later(writing.review_after)
    marketer = play.marketer
    if marketer is None:
        return  # nobody in marketing: the testimonial waits for review
    testimonials.set_tags(
        play.session,
        testimonial.id,
        service_line_ids={line for line in lines if line is not None},
        industry=client.account.industry,
        outcomes=writing.quote.outcomes,
        by=marketer,
        now=play.clock,
    )
    testimonials.approve(play.session, testimonial.id, by=marketer, now=play.clock)
    if not PUBLIC_USES & {use for use, _days in writing.uses}:
        return  # for the firm's own use only: approved, never published
    yield play.later(writing.publish_after)
    testimonials.publish(play.session, testimonial.id, by=marketer, now=play.clock)
    play.tally("publications of a testimonial")
    if writing.fate is Fate.WITHDRAWN:
        yield play.later(writing.change_after, client.contact.timezone)
        _client_withdraws(play, testimonial, client)
    elif writing.fate is Fate.NARROWED:
        yield play.later(writing.change_after, client.contact.timezone)
        _client_goes_anonymous(play, testimonial, client)


def _client_goes_anonymous(play: Play, testimonial: Testimonial, client: Client) -> None:
    """From the manage page: no name and no logo any more; every other use stays as it was."""
    token = play.token_in_mail(("testimonial", testimonial.id), "/c/manage/")
    rows = permissions_of(play.session, testimonial.id or 0)
    states = as_permissions(rows)
    kept = {
        Use(row.use): row.expires_on
        for row, state in zip(rows, states, strict=True)
        if state.live_on(play.clock.date()) and row.use not in {Use.NAMED_PUBLIC, Use.LOGO}
    }
    kept[Use.ANONYMISED_PUBLIC] = None
    choices = Choices(kept, _wording(client.contact, play.settings))
    change_permissions(play.session, token, testimonial.id or 0, choices, now=play.clock)


def _client_withdraws(play: Play, testimonial: Testimonial, client: Client) -> None:
    """From the manage link in the last e-mail the client got: every use ends now."""
    token = play.token_in_mail(("testimonial", testimonial.id), "/c/manage/")
    wording = _wording(client.contact, play.settings)
    withdraw_by_client(play.session, token, testimonial.id or 0, wording=wording, now=play.clock)
    play.tally("withdrawals of a testimonial")


def survey_story(play: Play, plan: SurveyPlan) -> Story:
    """The account manager sends a survey; the client answers and, if happy, may do more."""
    client = plan.client
    if not (yield from play.reachable(client.contact, plan.at)):
        return
    survey = send_on_demand(
        play.session,
        play.settings,
        client.account.id or 0,
        contact_id=client.contact.id or 0,
        kind=plan.kind,
        by=client.owner,
        now=play.clock,
    )
    if survey.status != SurveyStatus.SENT:
        return
    play.tally("surveys")
    if plan.score is None:
        return
    yield play.later(plan.answer_after, client.contact.timezone)
    token = play.token_in_mail(("survey", survey.id), "/c/survey/")
    answered = answer_survey(
        play.session, token, plan.score, plan.comment, settings=play.settings, now=play.clock
    )
    play.tally("survey answers")
    if plan.introduction is not None and answered.referral_path:
        yield play.clock + timedelta(minutes=4)  # on the same page
        token = answered.referral_path.rsplit("/", 1)[1]
        referral = _introduce(play, token, plan.introduction)
        if referral is not None:
            yield from referral_pipeline(play, referral, thank=True)
    if plan.writing is not None and answered.testimonial_path:
        yield play.clock + plan.writing.pause
        token = answered.testimonial_path.rsplit("/", 1)[1]
        yield from write_testimonial(play, token, client, plan.writing)


def asked_testimonial_story(play: Play, client: Client, at: datetime, writing: Writing) -> Story:
    """The account manager e-mails a link to write a testimonial; the client writes days later."""
    if not (yield from play.reachable(client.contact, at)):
        return
    testimonials.ask_for_testimonial(
        play.session,
        play.settings,
        client.account.id or 0,
        client.contact.id or 0,
        by=client.owner,
        now=play.clock,
    )
    yield play.later(writing.pause, client.contact.timezone)
    token = play.token_in_mail(("testimonial_ask", client.contact.id), "/c/testimonial/new/")
    yield from write_testimonial(play, token, client, writing)


def interview_story(play: Play, client: Client, at: datetime, writing: Writing) -> Story:
    """Staff take a testimonial down in an interview; the client approves it with their uses."""
    if not (yield from play.reachable(client.contact, at)):
        return
    lines = _lines_bought(play.session, client.account.id or 0)
    topic = lines[0].name if lines else "project"
    testimonial = testimonials.record_interview(
        play.session,
        play.settings,
        client.account.id or 0,
        testimonials.Interview(
            client.contact.id or 0, writing.quote.body.format(line=topic), writing.rating
        ),
        by=client.owner,
        now=play.clock,
    )
    yield play.later(writing.pause, client.contact.timezone)
    token = play.token_in_mail(("testimonial", testimonial.id), "/c/testimonial/review/")
    draft = Draft(
        body="",  # the text is the one staff took down
        rating=writing.rating,
        display_name="",
        display_title=client.contact.title,
        display_company="",
        choices=_choices(play, client, writing.uses),
    )
    store = PictureStore(Path(play.settings.instance_path) / "uploads")
    done = approve_interview(play.session, token, draft, store=store, now=play.clock)
    if done is None:
        return
    play.tally("testimonials")
    testimonial_mail.queue_thanks(play.session, play.settings, done, now=play.clock)
    yield from _after_writing(play, done, client, writing, [line.id for line in lines[:2]])


def _introduce(play: Play, token: str, who: Introduction) -> Referral | None:
    first, last = who.name.split(" ", 1)
    email = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}@{ascii_slug(who.company)}.example"
    intro = referrals.Introduction(who.name, who.company, email, who.note, who.preference)
    referral = referrals.introduce(play.session, play.settings, token, intro, now=play.clock)
    if referral is not None:
        play.tally("referrals")
    return referral


def referral_ask_story(
    play: Play, client: Client, at: datetime, who: Introduction, steps: tuple[ReferralStatus, ...]
) -> Story:
    """The account manager asks a happy client for an introduction; the client makes one."""
    if not (yield from play.reachable(client.contact, at)):
        return
    referrals.ask_for_introduction(
        play.session,
        play.settings,
        client.account.id or 0,
        client.contact.id or 0,
        by=client.owner,
        now=play.clock,
    )
    yield play.later(timedelta(hours=30), client.contact.timezone)
    token = play.token_in_mail(("referral_ask", client.contact.id), "/c/referral/new/")
    referral = _introduce(play, token, who)
    if referral is not None:
        yield from referral_pipeline(play, referral, steps=steps)


def referral_pipeline(
    play: Play,
    referral: Referral,
    *,
    steps: tuple[ReferralStatus, ...] = (ReferralStatus.CONTACTED,),
    thank: bool = False,
) -> Story:
    """The referral's owner works it: first call, meeting, and a thank-you to the referrer."""
    owner = play.session.get(User, referral.owner_id) if referral.owner_id else None
    if owner is None:
        return  # waiting for an administrator to hand it to someone
    for step in steps:
        yield play.later(timedelta(days=4))
        reason = REFERRAL_LOST if step is ReferralStatus.LOST else ""
        referrals.change_referral_status(
            play.session, referral.id or 0, step, lost_reason=reason, by=owner, now=play.clock
        )
    if thank:
        yield play.later(timedelta(days=1))
        referrals.log_thank_you(
            play.session,
            play.settings,
            referral.id or 0,
            note=REFERRAL_THANKS,
            send_email=True,
            by=owner,
            now=play.clock,
        )


def reference_story(play: Play, prospect: Prospect, at: datetime, colleague: User) -> Story:
    """A colleague's prospect wants to speak with a client; the product proposes who to ask."""
    yield at
    ready = showcase.reference_availability(
        play.session, play.settings, Audience.STAFF, now=play.clock
    )
    if not ready.people:
        return  # nobody allowed reference calls yet: no request worth making
    model = ready.people[0]
    request = references.create_reference_request(
        play.session,
        references.ReferenceNeed(
            prospect.name,
            industry=model.industry,
            service_line_id=model.service_line_ids[0] if model.service_line_ids else None,
            language=model.language,
            deadline=(play.clock + timedelta(days=21)).date(),
            notes=prospect.notes,
        ),
        by=colleague,
        now=play.clock,
    )
    assert request.id is not None
    for shown in references.candidates_for(
        play.session, play.settings, request.id, now=play.clock
    ).proposed[:3]:
        contact = play.session.get(Contact, shown.contact_id)
        assert contact is not None
        if not (yield from play.reachable(contact, play.clock)):
            continue
        still = references.candidates_for(play.session, play.settings, request.id, now=play.clock)
        if any(p.contact_id == contact.id for p in still.proposed):
            break
    else:
        return
    call = references.ask_for_reference(
        play.session, play.settings, request.id, contact.id or 0, by=colleague, now=play.clock
    )
    play.tally("reference calls")
    yield play.later(timedelta(hours=20), contact.timezone)
    token = play.token_in_mail(("reference_call", call.id), "/c/reference/")
    references.answer_reference(play.session, token, accept=True, now=play.clock)
    if prospect.outcome:
        yield play.later(timedelta(days=5))
        references.record_call_held(
            play.session,
            call.id or 0,
            held_on=play.clock.date(),
            outcome=prospect.outcome,
            by=colleague,
            now=play.clock,
        )
