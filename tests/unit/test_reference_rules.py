"""Reference-call rules: ranking by fit, every exclusion reason, and never anyone over the cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.journey import Camp
from advocacy.domain.references import (
    CandidateFacts,
    Cap,
    Exclusion,
    Fit,
    SurveyAnswer,
    Wanted,
    exclusions,
    rank_candidates,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CAP = Cap(max_calls=2, days=91)
WANTED = Wanted(industry="Banking", service_line_id=7, size_band="51-200", language="fr")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def candidate(contact_id: int = 1, **fields: object) -> CandidateFacts:
    base = CandidateFacts(
        contact_id=contact_id,
        active=True,
        language="en",
        industry="Retail",
        size_band="1-10",
        camp=Camp.UNKNOWN,
        do_not_ask=False,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


# (facts, the fits found, the score)
FITS = [
    pytest.param(candidate(), (), 0, id="nothing-in-common"),
    pytest.param(candidate(industry="banking"), (Fit.INDUSTRY,), 3, id="industry-any-case"),
    pytest.param(
        candidate(service_line_ids=frozenset({7, 8})), (Fit.SERVICE_LINE,), 3, id="line-bought"
    ),
    pytest.param(candidate(size_band="51-200"), (Fit.SIZE_BAND,), 2, id="size-band"),
    pytest.param(candidate(language="fr"), (Fit.LANGUAGE,), 2, id="language"),
    pytest.param(candidate(camp=Camp.GOOD), (Fit.GOOD_CAMP,), 2, id="good-camp"),
    pytest.param(
        candidate(surveys=(SurveyAnswer("nps", 10, days_ago(30)),)),
        (Fit.PROMOTER,),
        2,
        id="recent-promoter-nps",
    ),
    pytest.param(
        candidate(surveys=(SurveyAnswer("csat", 4, days_ago(30)),)),
        (Fit.PROMOTER,),
        2,
        id="recent-happy-csat",
    ),
    pytest.param(
        candidate(surveys=(SurveyAnswer("nps", 10, days_ago(400)),)), (), 0, id="old-promoter"
    ),
    pytest.param(
        candidate(surveys=(SurveyAnswer("nps", 8, days_ago(10)),)), (), 0, id="passive-nps"
    ),
    pytest.param(
        candidate(counted_calls=(days_ago(10),)), (), -1, id="one-recent-call-costs-a-point"
    ),
    pytest.param(
        candidate(counted_calls=(days_ago(200), days_ago(300))), (), 0, id="old-calls-are-free"
    ),
]


@pytest.mark.parametrize(("facts", "expected_fits", "score"), FITS)
def test_each_fit_adds_its_weight_and_recent_calls_cost(
    facts: CandidateFacts, expected_fits: tuple[Fit, ...], score: int
) -> None:
    ranking = rank_candidates([facts], WANTED, CAP, now=NOW)
    assert not ranking.excluded
    (proposal,) = ranking.proposed
    assert (proposal.fits, proposal.score) == (expected_fits, score)


def test_candidates_come_best_fit_first_and_ties_go_to_the_least_asked() -> None:
    perfect = candidate(
        1,
        industry="Banking",
        service_line_ids=frozenset({7}),
        size_band="51-200",
        language="fr",
        camp=Camp.GOOD,
        surveys=(SurveyAnswer("nps", 9, days_ago(5)),),
    )
    industry_only = candidate(2, industry="Banking")
    busy_twin = candidate(3, industry="Banking", language="fr", counted_calls=(days_ago(5),))
    rested_twin = candidate(4, industry="Banking", language="fr", camp=Camp.UNKNOWN)
    ranking = rank_candidates(
        [industry_only, busy_twin, rested_twin, perfect], WANTED, CAP, now=NOW
    )
    assert [p.contact_id for p in ranking.proposed] == [1, 4, 3, 2]
    assert ranking.proposed[0].score == 14


# (facts, the reasons it is excluded for)
EXCLUSIONS = [
    pytest.param(candidate(active=False), (Exclusion.INACTIVE,), id="inactive-contact"),
    pytest.param(candidate(camp=Camp.BAD, do_not_ask=True), (Exclusion.BAD_CAMP,), id="bad-camp"),
    pytest.param(candidate(camp=Camp.BAD), (Exclusion.BAD_CAMP,), id="bad-camp-not-yet-marked"),
    pytest.param(candidate(do_not_ask=True), (Exclusion.DO_NOT_ASK,), id="do-not-ask"),
    pytest.param(
        candidate(surveys=(SurveyAnswer("nps", 6, days_ago(30)),)),
        (Exclusion.DETRACTOR_SURVEY,),
        id="nps-detractor-in-period",
    ),
    pytest.param(
        candidate(surveys=(SurveyAnswer("nps", 0, days_ago(1)),)),
        (Exclusion.DETRACTOR_SURVEY,),
        id="nps-zero",
    ),
    pytest.param(
        candidate(surveys=(SurveyAnswer("csat", 2, days_ago(30)),)),
        (Exclusion.DETRACTOR_SURVEY,),
        id="csat-detractor",
    ),
    pytest.param(
        candidate(open_detractor_signal=True),
        (Exclusion.DETRACTOR_SIGNAL,),
        id="open-detractor-signal-on-account",
    ),
    pytest.param(
        candidate(counted_calls=(days_ago(10), days_ago(90))),
        (Exclusion.OVER_CAP,),
        id="at-the-cap",
    ),
    pytest.param(
        candidate(counted_calls=(days_ago(1), days_ago(2), days_ago(3))),
        (Exclusion.OVER_CAP,),
        id="over-the-cap",
    ),
    pytest.param(candidate(already_asked=True), (Exclusion.ALREADY_ASKED,), id="already-asked"),
    pytest.param(
        candidate(active=False, do_not_ask=True, counted_calls=(days_ago(1), days_ago(2))),
        (Exclusion.INACTIVE, Exclusion.DO_NOT_ASK, Exclusion.OVER_CAP),
        id="every-reason-listed",
    ),
]


@pytest.mark.parametrize(("facts", "reasons"), EXCLUSIONS)
def test_every_exclusion_is_listed_with_its_reason(
    facts: CandidateFacts, reasons: tuple[Exclusion, ...]
) -> None:
    ranking = rank_candidates([facts], WANTED, CAP, now=NOW)
    assert not ranking.proposed
    assert [(e.contact_id, e.reasons) for e in ranking.excluded] == [(facts.contact_id, reasons)]


STILL_PROPOSED = [
    pytest.param(
        candidate(surveys=(SurveyAnswer("nps", 3, days_ago(92)),)), id="detractor-before-period"
    ),
    pytest.param(candidate(surveys=(SurveyAnswer("csat", 3, days_ago(1)),)), id="csat-three"),
    pytest.param(candidate(counted_calls=(days_ago(1), days_ago(92))), id="one-call-in-period"),
]


@pytest.mark.parametrize("facts", STILL_PROPOSED)
def test_old_unhappiness_and_old_calls_do_not_exclude(facts: CandidateFacts) -> None:
    assert exclusions(facts, CAP, now=NOW) == ()


@pytest.mark.parametrize("max_calls", [1, 2, 3, 5])
@pytest.mark.parametrize("calls", range(7))
def test_nobody_at_or_over_the_cap_is_ever_proposed(max_calls: int, calls: int) -> None:
    cap = Cap(max_calls=max_calls, days=91)
    facts = candidate(
        industry="Banking",
        camp=Camp.GOOD,
        counted_calls=tuple(days_ago(1 + index * 10) for index in range(calls)),
    )
    ranking = rank_candidates([facts], WANTED, cap, now=NOW)
    in_period = sum(1 for index in range(calls) if 1 + index * 10 <= 91)
    proposed = [p.contact_id for p in ranking.proposed]
    assert (proposed == [facts.contact_id]) is (in_period < max_calls)
