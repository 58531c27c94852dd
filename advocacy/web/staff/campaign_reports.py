"""What a nurture campaign would do and what it did: the preview (who would receive what on the
next run and why, who is held back and why) and the results.

The preview is the planner's own report (`services.nurture.planner.preview_campaign`), so it is
exactly what the next run would do; this page only groups, counts, pages and names it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from advocacy.adapters.reason_sentences import send_reasons
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import STAFF, may_manage_campaigns
from advocacy.domain.campaigns import PlannedSend
from advocacy.domain.identity import Role
from advocacy.domain.paging import Pager, page_number, pager
from advocacy.http.security import allow, require_user
from advocacy.repository import nurture, nurture_facts
from advocacy.repository.read_models import campaign_pages
from advocacy.services.nurture import campaigns, planner
from advocacy.services.nurture.results import campaign_results
from advocacy.settings import Settings
from advocacy.web.refusals import found_and_allowed

bp = Blueprint("campaign_reports", __name__)

PAGE_SIZE: Final = 50


def settings() -> Settings:
    return current_app.config["ADVOCACY"]


T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """One page of a list, and the pager under it."""

    rows: Sequence[T]
    pager: Pager


def _page(rows: Sequence[T], arg: str) -> Shown[T]:
    shown = pager(len(rows), page_number(request.args.get(arg)), PAGE_SIZE)
    return Shown(rows[shown.offset : shown.offset + PAGE_SIZE], shown)


@bp.get("/campaigns/<id:campaign_id>/preview")
@allow(*STAFF)
@found_and_allowed
def preview(campaign_id: int) -> str:
    session, user = db_session(), require_user()
    campaign = campaigns.get_visible_campaign(session, campaign_id, user)
    report = planner.preview_campaign(session, campaign_id, now=utcnow(), settings=settings())
    session.rollback()  # the preview writes nothing; forget whatever it read into the session
    steps = {
        s.position: s.kind.value for s in nurture.steps_of(session, [campaign_id])[campaign_id]
    }
    sends = _page(report.sends, "page")
    held = _page(report.held_back, "held_page")
    shown_ids = [s.contact_id for s in sends.rows] + [h.contact_id for h in held.rows]
    item_ids = [s.content_item_id for s in sends.rows if s.content_item_id]
    return render_template(
        "campaigns/preview.html",
        campaign=campaign,
        report=report,
        steps=steps,
        sends=sends,
        held=held,
        send_groups=_send_groups(report.sends),
        held_groups=Counter(h.reason.value for h in report.held_back).most_common(),
        stopped_groups=Counter(s.reason.value for s in report.stopped).most_common(),
        names=campaign_pages.names_of(session, shown_ids),
        line_names=nurture_facts.line_names(session),
        item_titles={
            item.id: item.title for item in campaign_pages.content_choices(session, item_ids)
        },
        may_manage=may_manage_campaigns(Role(user.role)),
        reasons=send_reasons,
    )


def _send_groups(sends: Sequence[PlannedSend]) -> list[tuple[int, str, int | None, int]]:
    """(step, kind, line, how many) for every step and line the run would send, largest first."""
    counted = Counter((s.step_position, s.kind.value, s.service_line_id) for s in sends)
    return [(pos, kind, line, n) for (pos, kind, line), n in counted.most_common()]


@bp.get("/campaigns/<id:campaign_id>/results")
@allow(*STAFF)
@found_and_allowed
def results(campaign_id: int) -> str:
    session, user = db_session(), require_user()
    campaign = campaigns.get_visible_campaign(session, campaign_id, user)
    found = campaign_results(session, campaign_id, user=user, now=utcnow(), settings=settings())
    counts = found.counts
    funnel = [
        (_l("Enrolled"), counts.enrolled),
        (_l("Steps carried out"), counts.planned),
        (_l("E-mails queued"), counts.emails),
        (_l("Sent"), counts.sent),
        (_l("Delivered"), counts.delivered),
        (_l("Opened"), counts.opened),
        (_l("Clicked"), counts.clicked),
        (_l("Replied"), counts.replied),
    ]
    return render_template(
        "campaigns/results.html",
        campaign=campaign,
        results=found,
        funnel=funnel,
        widest=max((number for _name, number in funnel), default=0) or 1,
    )
