"""The demo firm's nurture campaigns, played through the product's own use cases by marketing.

One campaign finished a while ago, with results: it ran at past moments (the jobs' runs, each
followed by the dispatcher through the local outbox), then marketing finished it. One runs now:
"between engagements — introduce the next service line", started yesterday and run once.
Deterministic for the same `now`; added once (the campaigns' names say they are the demo's).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from sqlmodel import Session, col, func, select

from advocacy.adapters.email_templates import current_settings
from advocacy.demo import voice
from advocacy.demo.voice_play import Play
from advocacy.domain.campaigns import StepKind
from advocacy.domain.journey import Camp, Stage
from advocacy.models import Campaign, StepInput, User
from advocacy.models.fields import saved_id
from advocacy.services.nurture import campaign_setup, campaigns
from advocacy.services.nurture.run import run_campaigns
from advocacy.settings import Settings

if TYPE_CHECKING:
    from advocacy.demo.loader import DemoReport

RUNNING: Final = "Between engagements — introduce the next service line"
FINISHED: Final = "Good former clients — what else we do"
# Days before `now` of the finished campaign's runs, then of its end; the running one starts
# the sending day before `now`. Runs happen at 14:00 UTC: inside office hours from Paris to New York.
FINISHED_RUNS: Final = (75, 60, 45)
FINISHED_END: Final = 40
RUNNING_START: Final = 1
RUN_HOUR: Final = time(14, 0, tzinfo=UTC)


def _moment(now: datetime, days_ago: int, settings: Settings) -> datetime:
    """14:00 UTC that many days ago, or on the last sending day before it (no mail on Sundays)."""
    day = (now - timedelta(days=days_ago)).date()
    for _back in range(7):
        if day.isoweekday() in settings.mail_send_weekdays:
            break
        day -= timedelta(days=1)
    return datetime.combine(day, RUN_HOUR)


def add_campaigns(
    session: Session, report: DemoReport, *, now: datetime, settings: Settings | None = None
) -> None:
    """Add the demo's finished and running campaigns once (needs the app: e-mails are rendered)."""
    already = session.exec(
        select(func.count())
        .select_from(Campaign)
        .where(col(Campaign.name).in_([RUNNING, FINISHED]))
    ).one()
    if already:
        report.count("campaigns", created=False, n=already)
        return
    author = voice.marketer(session)
    if author is None:
        return
    settings = settings or current_settings()
    # Mail waiting before the demo is not the demo's to send: then the real dispatcher sends all.
    play = Play(session, settings, now, marketer=author, dispatch=voice.outbox_idle(session))
    finished = _campaign(
        session,
        author,
        FINISHED,
        "Former clients who remember us well hear, once a fortnight, about a part of the firm "
        "they never used.",
        {"stages": [Stage.FORMER.value], "camps": [Camp.GOOD.value]},
        at=_moment(now, FINISHED_RUNS[0] + 5, settings),
    )
    _run(play, finished, [_moment(now, days, settings) for days in FINISHED_RUNS])
    campaigns.finish(session, finished, by=author, now=_moment(now, FINISHED_END, settings))
    running = _campaign(
        session,
        author,
        RUNNING,
        "Clients between two engagements learn, one line at a time, what else the firm does.",
        {"stages": [Stage.BETWEEN.value]},
        at=_moment(now, RUNNING_START + 2, settings),
    )
    _run(play, running, [_moment(now, RUNNING_START, settings)])
    play.clock = now
    play.deliver()
    report.count("campaigns", created=True, n=2)


def _campaign(
    session: Session,
    author: User,
    name: str,
    description: str,
    criteria: dict[str, list[str]],
    *,
    at: datetime,
) -> int:
    """A campaign with its audience and steps: a next-line e-mail, a fortnight, another one."""
    setup = campaign_setup.CampaignSetup.model_validate(
        {"name": name, "description": description, "criteria": criteria}
    )
    campaign = campaign_setup.create_with_audience(session, setup, by=author, now=at)
    campaign_id = saved_id(campaign)
    campaigns.set_steps(
        session,
        campaign_id,
        [
            StepInput(kind=StepKind.NEXT_LINE_EMAIL),
            StepInput(kind=StepKind.WAIT, wait_days=14),
            StepInput(kind=StepKind.NEXT_LINE_EMAIL),
        ],
        by=author,
        now=at,
    )
    return campaign_id


def _run(play: Play, campaign_id: int, moments: list[datetime]) -> None:
    """Start the campaign, then the jobs' runs at these moments, each followed by the dispatcher."""
    assert play.marketer is not None
    campaigns.activate(play.session, campaign_id, by=play.marketer, now=moments[0])
    for moment in moments:
        run_campaigns(play.session, now=moment, settings=play.settings)
        play.clock = moment
        play.deliver()
