"""Advocates: the contacts ranked by advocacy score, why, and one click to start the next best ask
through the existing client-voice pages (which check the "may we ask" rule again when the ask is
sent). Also what the account page, the contact page and the home page show of the score."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from flask import Blueprint, render_template, request, url_for

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.calibration import MIN_OBSERVATIONS, MIN_OUTCOMES
from advocacy.domain.identity import Role
from advocacy.domain.numbers import whole_number
from advocacy.domain.score_asks import NextAsk, Tier
from advocacy.http import score_words
from advocacy.http.security import require_user, signed_in
from advocacy.repository import stored_scores
from advocacy.repository.journey import list_service_lines
from advocacy.repository.read_models import accounts, advocates
from advocacy.services.scoring import history
from advocacy.web.forms.journey import account_filter

bp = Blueprint("advocates", __name__)

_FILTER_ARGS: Final = ("tier", "owner", "industry", "service_line", "camp", "people")
HISTORY_DAYS: Final = 365


@dataclass(frozen=True)
class AskAction:
    """How the page starts an ask: a one-click form posting the contact, or a link."""

    label: str
    url: str
    prefix: str | None = None  # the ask form's field prefix when it posts; None for a link

    @property
    def posts(self) -> bool:
        return self.prefix is not None


def ask_action(row: advocates.AdvocateRow, role: Role) -> AskAction | None:
    """Where the recommended ask is started, for this reader; None when there is nothing to ask.

    Testimonials, reviews and referrals are e-mailed from the existing ask forms (account
    workers only); the other asks open the page where the firm's people take them further.
    """
    ask = NextAsk(row.ask) if row.ask in NextAsk.__members__.values() else NextAsk.NONE
    if ask is NextAsk.NONE:
        return None
    label = score_words.ask_label(ask)
    works = role in ACCOUNT_WORKERS
    if ask in {NextAsk.TESTIMONIAL, NextAsk.REVIEW}:
        if works:
            url = url_for("testimonials.ask", account_id=row.account_id)
            return AskAction(label, url, "ask-")
        return AskAction(label, url_for("testimonials.of_account", account_id=row.account_id))
    if ask is NextAsk.REFERRAL and works:
        url = url_for("referrals.ask_introduction", account_id=row.account_id)
        return AskAction(label, url, "")
    if ask is NextAsk.REFERENCE_CALL and works:
        return AskAction(label, url_for("references.index", status="open"))
    if ask is NextAsk.CASE_STUDY:
        return AskAction(label, url_for("testimonials.of_account", account_id=row.account_id))
    if ask is NextAsk.REPAIR_FIRST:
        url = url_for("journey.show", account_id=row.account_id, _anchor="surveys")
        return AskAction(label, url)
    # Moved, retired, speaker, or an ask this role cannot send: the person's page, their history.
    return AskAction(label, url_for("contacts.show", contact_id=row.contact_id))


def _filter(args: Any) -> advocates.AdvocateFilter:
    wanted = account_filter(args)
    tier = args.get("tier", "")
    people = args.get("people", "")
    return advocates.AdvocateFilter(
        tier=tier if tier in Tier.__members__.values() else None,
        owner_id=wanted.owner_id,
        industry=wanted.industry,
        service_line_id=wanted.service_line_id,
        camp=wanted.camp,
        people=people if people in advocates.PEOPLE else None,
        page=wanted.page,
    )


@bp.app_context_processor
def _score_helpers() -> dict[str, Any]:
    def stakeholder_scores(contact_ids: Collection[int]) -> dict[int, advocates.AdvocateRow]:
        """The account page's stakeholders' scores, in one query."""
        return advocates.scores_of_contacts(db_session(), contact_ids)

    def score_panel(contact_id: int) -> dict[str, Any]:
        """The contact page's score, its explanation and its history."""
        session = db_session()
        found = advocates.scores_of_contacts(session, [contact_id]).get(contact_id)
        since = utcnow().date() - timedelta(days=HISTORY_DAYS)
        return {"row": found, "history": stored_scores.history(session, contact_id, since=since)}

    def best_candidates() -> list[advocates.AdvocateRow]:
        """Marketing's home: the best candidates for its next asks."""
        return advocates.best_candidates(db_session())

    return {
        "stakeholder_scores": stakeholder_scores,
        "score_panel": score_panel,
        "best_candidates": best_candidates,
        "ask_action": lambda row: ask_action(row, Role(require_user().role)),
        "tier_label": score_words.tier_label,
        "explain_score": score_words.explain,
    }


@bp.get("/advocates")
@signed_in
def index() -> str:
    session = db_session()
    wanted = _filter(request.args)
    found = advocates.list_advocates(session, wanted)
    return render_template(
        "advocates/index.html",
        found=found,
        wanted=wanted,
        current={k: v for k, v in request.args.items() if k in _FILTER_ARGS and v},
        tiers=list(Tier),
        owners=accounts.possible_owners(session),
        industries=accounts.industries(session),
        service_lines=list_service_lines(session),
    )


MONTHS: Final = (3, 6, 12)
QUARTER_DAYS: Final = 91


@bp.get("/advocates/calibration")
@signed_in
def calibration() -> str:
    months = whole_number(request.args.get("months")) or 6
    months = months if months in MONTHS else 6
    report = history.calibration_report(
        db_session(), today=utcnow().date(), months=months, every_days=QUARTER_DAYS
    )
    return render_template(
        "advocates/calibration.html",
        report=report,
        result=report.result,
        months=months,
        choices=MONTHS,
        minimum=(MIN_OBSERVATIONS, MIN_OUTCOMES),
    )
