"""The demo firm's content library: a few items per service line, in English and French, of every
kind, some for given industries or journey stages, some past their last day, added through the
product's own use case by marketing.

Deterministic for a seed and the same `now`; added once (the items' addresses say they are the
demo's). Every address is on a reserved `.example` domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlmodel import Session, col, func, select

from advocacy.demo import vocabulary, voice
from advocacy.domain.content import ContentKind, ContentLanguage
from advocacy.domain.journey import Stage
from advocacy.models import ContentItem, ContentItemCreate, ServiceLine
from advocacy.services.content import items

if TYPE_CHECKING:
    from advocacy.demo.loader import DemoReport

DEMO_SITE: Final = "https://insights.demo.advocacy.example/"

# What each service line's items are about, in English and French (same order as the catalogue).
TOPICS: Final[dict[str, tuple[str, str]]] = {
    "Strategy": ("growth strategy", "la stratégie de croissance"),
    "M&A Advisory": ("deal readiness", "la préparation des acquisitions"),
    "Digital Transformation": ("digital operating models", "les modèles opérationnels numériques"),
    "Data & AI": ("putting AI to work", "l’IA au service des décisions"),
    "Cybersecurity": ("cyber resilience", "la cyber-résilience"),
    "Operations Excellence": ("resilient supply chains", "les chaînes logistiques résilientes"),
    "ESG & Sustainability": ("CSRD reporting", "le reporting CSRD"),
    "Change Management": ("leading large change", "la conduite du changement"),
    "Procurement Advisory": ("smarter sourcing", "des achats plus performants"),
    "Risk & Compliance": ("regulatory change", "les évolutions réglementaires"),
    "Finance Transformation": ("a faster close", "une clôture plus rapide"),
    "Talent & Organisation": ("skills for the next decade", "les compétences de demain"),
}

# (title, summary) per kind and language; {topic} and {industry} are filled in.
WORDING: Final[dict[tuple[ContentKind, ContentLanguage], tuple[str, str]]] = {
    (ContentKind.ARTICLE, ContentLanguage.EN): (
        "{Topic}: five questions to ask this year",
        "A short read on {topic}: where peers stand, what to decide first, the traps to avoid.",
    ),
    (ContentKind.ARTICLE, ContentLanguage.FR): (
        "Cinq questions sur {topic} à se poser cette année",
        "Une lecture courte sur {topic} : où en sont vos pairs, quoi décider d’abord, "
        "quels pièges éviter.",
    ),
    (ContentKind.CASE_STUDY, ContentLanguage.EN): (
        "Case study: {topic} at a {industry} leader",
        "How a client in {industry} approached {topic}, and what changed in eighteen months.",
    ),
    (ContentKind.CASE_STUDY, ContentLanguage.FR): (
        "Étude de cas : {topic} chez un leader ({industry})",
        "Comment un client du secteur {industry} a abordé {topic}, et ce qui a changé en "
        "dix-huit mois.",
    ),
    (ContentKind.WHITE_PAPER, ContentLanguage.EN): (
        "White paper: the state of {topic}",
        "Our survey of two hundred executives on {topic}, with benchmarks by industry.",
    ),
    (ContentKind.WHITE_PAPER, ContentLanguage.FR): (
        "Livre blanc : où en est-on sur {topic} ?",
        "Notre enquête auprès de deux cents dirigeants sur {topic}, avec des repères par secteur.",
    ),
    (ContentKind.SHORT_NOTE, ContentLanguage.EN): (
        "Note: what changed in {topic} this quarter",
        "One page on the quarter's news in {topic} and what it means for you.",
    ),
    (ContentKind.SHORT_NOTE, ContentLanguage.FR): (
        "Note : ce qui a changé ce trimestre pour {topic}",
        "Une page sur l’actualité du trimestre et ce qu’elle change pour vous.",
    ),
    (ContentKind.WEBINAR, ContentLanguage.EN): (
        "Webinar: {topic} in practice",
        "One hour with our partners and a client on {topic}; questions welcome.",
    ),
    (ContentKind.WEBINAR, ContentLanguage.FR): (
        "Webinaire : {topic} en pratique",
        "Une heure avec nos associés et un client sur {topic} ; vos questions sont bienvenues.",
    ),
    (ContentKind.EVENT, ContentLanguage.EN): (
        "Breakfast briefing: {topic}",
        "A morning with peers at our offices on {topic}.",
    ),
    (ContentKind.EVENT, ContentLanguage.FR): (
        "Petit-déjeuner : {topic}",
        "Une matinée entre pairs dans nos bureaux autour de {topic}.",
    ),
}
READS_EN: Final = (ContentKind.ARTICLE, ContentKind.CASE_STUDY, ContentKind.WHITE_PAPER)
READS_FR: Final = (ContentKind.ARTICLE, ContentKind.SHORT_NOTE, ContentKind.CASE_STUDY)
DATED: Final = (ContentKind.WEBINAR, ContentKind.EVENT)
# Clients who already know the firm: the stages nurture works on most.
KNOWN_CLIENTS: Final = [Stage.BETWEEN, Stage.FORMER]


@dataclass(frozen=True)
class DemoItem:
    line: str
    kind: ContentKind
    language: ContentLanguage
    industries: tuple[str, ...]
    stages: tuple[Stage, ...]
    first_day_ago: int
    last_day_from_now: int | None  # negative: past its last day


def plan(rng: random.Random) -> list[DemoItem]:
    """Three items per service line: a read in English, one in French, a dated webinar or event
    (every third line's is over)."""
    planned: list[DemoItem] = []
    for number, (line, _description, industries) in enumerate(vocabulary.SERVICE_LINES):
        for language, kinds in ((ContentLanguage.EN, READS_EN), (ContentLanguage.FR, READS_FR)):
            kind = rng.choice(kinds)
            planned.append(
                DemoItem(
                    line=line,
                    kind=kind,
                    language=language,
                    industries=(rng.choice(industries),) if kind is ContentKind.CASE_STUDY else (),
                    stages=tuple(KNOWN_CLIENTS) if rng.random() < 0.3 else (),
                    first_day_ago=rng.randint(20, 400),
                    last_day_from_now=None,
                )
            )
        over = number % 3 == 0
        planned.append(
            DemoItem(
                line=line,
                kind=rng.choice(DATED),
                language=ContentLanguage.FR if number % 2 else ContentLanguage.EN,
                industries=tuple(sorted(rng.sample(industries, k=min(2, len(industries))))),
                stages=(),
                first_day_ago=rng.randint(30, 90) + (120 if over else 0),
                last_day_from_now=-rng.randint(5, 90) if over else rng.randint(10, 75),
            )
        )
    return planned


def _data(planned: DemoItem, line_id: int, number: int, now: datetime) -> ContentItemCreate:
    topic = TOPICS[planned.line][0 if planned.language is ContentLanguage.EN else 1]
    industry = planned.industries[0] if planned.industries else ""
    if planned.language is ContentLanguage.EN:
        industry = industry.lower()  # "at a banking leader"
    title, summary = WORDING[(planned.kind, planned.language)]
    values = {"topic": topic, "Topic": topic[0].upper() + topic[1:], "industry": industry}
    today = now.date()
    last = planned.last_day_from_now
    return ContentItemCreate(
        kind=planned.kind,
        language=planned.language,
        title=title.format(**values),
        url=f"{DEMO_SITE}{planned.language.value}/{number:02d}-{planned.kind.value}",
        summary=summary.format(**values),
        service_line_ids=[line_id],
        industries=list(planned.industries),
        stages=list(planned.stages),
        valid_from=today - timedelta(days=planned.first_day_ago),
        valid_until=None if last is None else today + timedelta(days=last),
    )


def add_content(session: Session, report: DemoReport, *, seed: int, now: datetime) -> None:
    """Fill the content library once, through the product's own use case."""
    already = session.exec(
        select(func.count())
        .select_from(ContentItem)
        .where(col(ContentItem.url).startswith(DEMO_SITE))
    ).one()
    if already:
        report.count("content items", created=False, n=already)
        return
    author = voice.marketer(session)  # who approves quotes keeps the library too
    line_ids = {
        line.name: line.id
        for line in session.exec(select(ServiceLine))
        if line.id is not None and line.name in TOPICS
    }
    if author is None or not line_ids:
        return
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    made = 0
    for number, planned in enumerate(plan(rng), start=1):
        if planned.line in line_ids:
            data = _data(planned, line_ids[planned.line], number, now)
            items.create_item(session, data, by=author, now=now)
            made += 1
    report.count("content items", created=True, n=made)
