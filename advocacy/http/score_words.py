"""The advocacy score in words, in the reader's language: tiers, asks, each factor's contribution
and the reason for the next best ask. One renderer for the pages and the API's descriptions.

The domain keeps every explanation as a kind and numbers (`domain.scoring.Contribution`,
`domain.score_asks.Decision`); the stored score keeps them as JSON (`repository.scoring`). This
module turns them into sentences such as "+23 promoter: NPS 10, 3 weeks ago".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from flask_babel import format_timedelta, gettext, lazy_gettext

from advocacy.domain.advocacy_asks import MESSAGES, Refusal
from advocacy.domain.score_asks import NextAsk, Tier, Why
from advocacy.domain.scoring import Factor

TIERS: Final[Mapping[str, Any]] = {
    Tier.CHAMPION: lazy_gettext("Champion"),
    Tier.ADVOCATE: lazy_gettext("Advocate"),
    Tier.PASSIVE: lazy_gettext("Passive"),
    Tier.AT_RISK: lazy_gettext("At risk"),
    Tier.DO_NOT_ASK: lazy_gettext("Do not ask"),
}

ASKS: Final[Mapping[str, Any]] = {
    NextAsk.TESTIMONIAL: lazy_gettext("Ask for a testimonial"),
    NextAsk.REFERRAL: lazy_gettext("Ask for a referral"),
    NextAsk.CASE_STUDY: lazy_gettext("Propose a case study"),
    NextAsk.REFERENCE_CALL: lazy_gettext("Ask for a reference call"),
    NextAsk.REVIEW: lazy_gettext("Ask for a short review"),
    NextAsk.EVENT_SPEAKER: lazy_gettext("Invite to speak at an event"),
    NextAsk.INTRODUCE_NEW_COMPANY: lazy_gettext("Ask to introduce us at their new company"),
    NextAsk.ALUMNI_VOICE: lazy_gettext("Invite as an alumni voice"),
    NextAsk.REPAIR_FIRST: lazy_gettext("Repair the relationship first"),
    NextAsk.NONE: lazy_gettext("Nothing to ask now"),
}


def tier_label(tier: str) -> str:
    """The tier's name."""
    return str(TIERS.get(tier, tier))


def ask_label(ask: str) -> str:
    """What the next best ask is, as an action."""
    return str(ASKS.get(ask, ask))


def _ago(days: Any) -> str:
    return str(format_timedelta(timedelta(days=-int(days or 0)), add_direction=True))


def _survey(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": str(detail.get("kind", "")).upper(),
        "score": detail.get("score", 0),
        "when": _ago(detail.get("days")),
    }


def _recency(detail: Mapping[str, Any]) -> str:
    if not detail.get("touchpoints"):
        return gettext("no two-way conversation in the last year")
    return gettext(
        "last two-way conversation %(when)s, %(count)d in the last year",
        when=_ago(detail.get("days")),
        count=detail.get("touchpoints", 0),
    )


def _authority(detail: Mapping[str, Any]) -> str:
    if detail.get("deciding"):
        return gettext(
            "authority: influence %(influence)d/5, decision maker or sponsor",
            influence=detail.get("influence", 0),
        )
    return gettext("authority: influence %(influence)d/5", influence=detail.get("influence", 0))


def _availability(detail: Mapping[str, Any]) -> str:
    status = detail.get("status")
    if status == "left":
        return gettext("moved to another company")
    if status == "retired":
        return gettext("retired")
    return gettext("still at the account")


def _fatigue(detail: Mapping[str, Any]) -> str:
    if "days" in detail:
        return gettext("asked for advocacy %(when)s", when=_ago(detail["days"]))
    return gettext("reference calls at the cap (%(count)d)", count=detail.get("calls", 0))


FACTOR_WORDS: Final[Mapping[str, Callable[[Mapping[str, Any]], str]]] = {
    Factor.PROMOTER: lambda d: gettext("promoter: %(kind)s %(score)d, %(when)s", **_survey(d)),
    Factor.PASSIVE: lambda d: gettext("passive: %(kind)s %(score)d, %(when)s", **_survey(d)),
    Factor.DETRACTOR: lambda d: gettext("detractor: %(kind)s %(score)d, %(when)s", **_survey(d)),
    Factor.GOOD_CAMP: lambda d: gettext("former client with a good experience"),
    Factor.BAD_CAMP: lambda d: gettext("account in the bad camp"),
    Factor.DETRACTOR_SIGNAL: lambda d: gettext("open detractor signal"),
    Factor.RELATIONSHIP: lambda d: gettext(
        "relationship: engagements %(engagements)d, years %(years)d, service lines %(lines)d",
        engagements=d.get("engagements", 0),
        years=d.get("years", 0),
        lines=d.get("service_lines", 0),
    ),
    Factor.RECENCY: _recency,
    Factor.NURTURE: lambda d: gettext(
        "response to nurture: opens %(opens)d, clicks %(clicks)d, replies %(replies)d, "
        "events %(events)d",
        opens=d.get("opens", 0),
        clicks=d.get("clicks", 0),
        replies=d.get("replies", 0),
        events=d.get("events", 0),
    ),
    Factor.ADVOCACY: lambda d: gettext(
        "spoke for us: testimonials %(testimonials)d, referrals %(referrals)d, "
        "reference calls %(calls)d",
        testimonials=d.get("testimonials", 0),
        referrals=d.get("referrals", 0),
        calls=d.get("reference_calls", 0),
    ),
    Factor.AUTHORITY: _authority,
    Factor.AVAILABILITY: _availability,
    Factor.FATIGUE: _fatigue,
}


def factor_line(factor: str, points: int, detail: Mapping[str, Any]) -> str:
    """One contribution in words, signed: "+23 promoter: NPS 10, 3 weeks ago"."""
    words = FACTOR_WORDS.get(factor)
    text = words(detail) if words is not None else factor
    sign = "+" if points > 0 else ("−" if points < 0 else "±")
    return f"{sign}{abs(points)} {text}"


def _refusal(numbers: Mapping[str, Any]) -> str:
    code = str(numbers.get("refusal", ""))
    if code in Refusal.__members__.values():
        return gettext(MESSAGES[Refusal(code)])
    return gettext("The may-we-ask rule refuses any ask now.")


REASON_WORDS: Final[Mapping[str, Callable[[Mapping[str, Any]], str]]] = {
    Why.REFUSED: _refusal,
    Why.REPAIR: _refusal,
    Why.MOVED_CHAMPION: lambda n: gettext("A champion who moved: an opening at their new company."),
    Why.RETIRED_ALUMNUS: lambda n: gettext("A retired advocate speaks freely and is listened to."),
    Why.DEPARTED_LOW: lambda n: gettext("They left the account with a low score: nothing now."),
    Why.FIRST_WORDS: lambda n: gettext(
        "A champion (score %(score)d) who never gave a testimonial: their first words.",
        score=n.get("score", 0),
    ),
    Why.DEEP_RELATIONSHIP: lambda n: gettext(
        "A deep relationship (engagements %(engagements)d, service lines %(lines)d) makes a story.",
        engagements=n.get("engagements", 0),
        lines=n.get("service_lines", 0),
    ),
    Why.RECOGNISED_VOICE: lambda n: gettext("A senior, influential champion: a recognised voice."),
    Why.INTRODUCE_PEERS: lambda n: gettext("They already spoke for us: they can introduce peers."),
    Why.RESTED_SPEAK: lambda n: gettext(
        "Asked %(when)s: the written asks rest, a short call is a different favour.",
        when=_ago(n.get("days")),
    ),
    Why.RESTED_WAIT: lambda n: gettext("Asked %(when)s: let them rest.", when=_ago(n.get("days"))),
    Why.LIGHT_ASK: lambda n: gettext("An advocate: a short public review is a light first ask."),
    Why.WARM_UP: lambda n: gettext("Not yet: keep in touch and let the evidence grow."),
    Why.LOW_SCORE: lambda n: gettext(
        "Score %(score)d with something against them: listen before asking.",
        score=n.get("score", 0),
    ),
}


def reason_text(why: str, numbers: Mapping[str, Any]) -> str:
    """Why this ask, in a sentence."""
    words = REASON_WORDS.get(why)
    return words(numbers) if words is not None else why


@dataclass(frozen=True)
class FactorLine:
    """One contribution of a stored score, with its sentence."""

    factor: str
    points: int
    detail: dict[str, Any]
    text: str


@dataclass(frozen=True)
class Explanation:
    """A stored score's reason and contributions in words (largest first)."""

    reason: str
    lines: tuple[FactorLine, ...]

    def top(self, count: int = 3) -> tuple[FactorLine, ...]:
        """The contributions that weigh most, leaving out those worth nothing."""
        return tuple(line for line in self.lines if line.points)[:count]


def explain(why: str, factors_json: str) -> Explanation:
    """The explanation of a stored score (`ContactScore.factors_json`)."""
    stored = json.loads(factors_json or "{}")
    lines = [
        FactorLine(
            str(item.get("factor", "")),
            int(item.get("points", 0)),
            dict(item.get("detail", {})),
            factor_line(
                str(item.get("factor", "")), int(item.get("points", 0)), item.get("detail", {})
            ),
        )
        for item in stored.get("factors", [])
    ]
    lines.sort(key=lambda line: (-abs(line.points), line.factor))
    return Explanation(reason_text(why, stored.get("numbers", {})), tuple(lines))
