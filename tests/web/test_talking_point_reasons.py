"""The next lines a check-in raises read as a sentence saying why, in the reader's language, on
the check-in page and My week; check-ins stored before the ranking still show their old points;
the sentences of every reason kind, plural forms and odd stored data included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from advocacy.adapters.reason_sentences import reason_sentence
from advocacy.db import db_session
from advocacy.models import User
from tests.factories import make_user
from tests.factories_checkins import (
    CO_BOUGHT_EN,
    CO_BOUGHT_FR,
    CO_BOUGHT_POINT,
    TAX_LINE_ID,
    make_check_in,
)
from tests.web.check_in_helpers import client_for, section, today

DEALS = 13
ENGAGED = {
    "service_line_id": DEALS,
    "name": "M&A <deals>",
    "reason": {"kind": "engaged", "since": "2026-03-12T10:00:00+00:00"},
    "line_names": {},
}


def _check_in(app: Flask, language: str, **points: Any) -> tuple[User, int]:
    with app.app_context():
        session = db_session()
        owner = make_user(session, language=language)
        check_in = make_check_in(session, owner, due_on=today(), account_name="Harbour", **points)
        assert check_in.id is not None
        return owner, check_in.id


@pytest.mark.parametrize(
    ("language", "co_bought", "engaged"),
    [
        (
            "en",
            f"<strong>Talk about Transfer pricing:</strong> {CO_BOUGHT_EN}",
            "They showed interest in M&amp;A &lt;deals&gt; (March 12, 2026).",
        ),
        (
            "fr",
            f"<strong>Parler de Transfer pricing :</strong> {CO_BOUGHT_FR}",
            "Ils ont montré de l’intérêt pour M&amp;A &lt;deals&gt; (12 mars 2026).",
        ),
    ],
)
def test_the_check_in_page_says_why_each_line_is_raised_in_the_readers_language(
    app: Flask, language: str, co_bought: str, engaged: str
) -> None:
    owner, check_in_id = _check_in(
        app, language, never_bought=(), next_lines=(CO_BOUGHT_POINT, ENGAGED)
    )
    html = client_for(app, owner).get(f"/check-ins/{check_in_id}").get_data(as_text=True)
    assert co_bought in html
    # Names are the client's data: escaped.
    assert engaged in html and "<deals>" not in html
    assert "Never bought" not in html


def test_my_week_shows_the_reason_next_to_the_check_in(app: Flask) -> None:
    owner, _id = _check_in(app, "en", never_bought=(), next_lines=(CO_BOUGHT_POINT,))
    html = client_for(app, owner).get("/").get_data(as_text=True)
    assert CO_BOUGHT_EN in section(html, "this-week")


def test_a_check_in_stored_before_the_ranking_still_lists_what_was_never_bought(
    app: Flask,
) -> None:
    owner, check_in_id = _check_in(app, "en", never_bought=("Audit", "Tax advisory"))
    html = client_for(app, owner).get(f"/check-ins/{check_in_id}").get_data(as_text=True)
    assert "Never bought: Audit, Tax advisory — ask about them" in html
    assert "Talk about" not in html


NAMES = {TAX_LINE_ID: "Tax"}.get


@pytest.mark.parametrize(
    ("reason", "english", "french"),
    [
        (
            {"kind": "co_bought_firm_wide", "bought_line_id": TAX_LINE_ID, "count": 2, "out_of": 4},
            "Our clients who bought Tax often also bought ESG (2 of 4).",
            "Nos clients qui ont acheté Tax ont souvent aussi acheté ESG (2 sur 4).",
        ),
        (
            {"kind": "co_bought_firm_wide", "bought_line_id": 99, "count": 2, "out_of": 4},
            "Our clients who bought another of our services often also bought ESG (2 of 4).",
            "Nos clients qui ont acheté un autre de nos services ont souvent aussi acheté ESG "
            "(2 sur 4).",
        ),
        (
            {"kind": "popular", "industry": "retail", "count": 3, "out_of": 10},
            "3 of 10 clients in retail bought ESG.",
            "3 clients sur 10 du secteur retail ont acheté ESG.",
        ),
        (
            {"kind": "popular", "industry": "retail", "count": 1, "out_of": 10},
            "1 of 10 clients in retail bought ESG.",
            "1 client sur 10 du secteur retail a acheté ESG.",
        ),
        (
            {"kind": "popular_firm_wide", "count": 2, "out_of": 7},
            "2 of our 7 clients bought ESG.",
            "2 de nos 7 clients ont acheté ESG.",
        ),
        (
            {"kind": "relevant_to_industry", "industry": "retail", "relevance": 5},
            "ESG is rated 5/5 for retail.",
            "ESG est noté 5/5 pour le secteur retail.",
        ),
        (
            {"kind": "engaged"},
            "They showed interest in ESG.",
            "Ils ont montré de l’intérêt pour ESG.",
        ),
        (
            {"kind": "in_catalogue"},
            "ESG is part of what we do that they do not know us for yet.",
            "ESG fait partie de ce que nous faisons et pour quoi ils ne nous connaissent pas encore.",
        ),
        # Stored data older or odder than the code: the plainest sentence, never an error.
        (
            {"kind": "co_bought", "industry": "retail", "count": "2"},
            "ESG is part of what we do that they do not know us for yet.",
            "ESG fait partie de ce que nous faisons et pour quoi ils ne nous connaissent pas encore.",
        ),
        (
            {"kind": "a_kind_from_the_future"},
            "ESG is part of what we do that they do not know us for yet.",
            "ESG fait partie de ce que nous faisons et pour quoi ils ne nous connaissent pas encore.",
        ),
    ],
)
def test_each_reason_reads_as_one_sentence_in_english_and_french(
    app: Flask, reason: dict[str, Any], english: str, french: str
) -> None:
    with app.test_request_context():
        with force_locale("en"):
            assert reason_sentence(reason, "ESG", NAMES) == english
        with force_locale("fr"):
            assert reason_sentence(reason, "ESG", NAMES) == french


def test_an_unreadable_interest_date_leaves_the_date_out(app: Flask) -> None:
    since = datetime(2026, 3, 12, tzinfo=UTC).isoformat()
    with app.test_request_context(), force_locale("en"):
        assert reason_sentence({"kind": "engaged", "since": since}, "ESG", NAMES).endswith(
            "(March 12, 2026)."
        )
        assert reason_sentence({"kind": "engaged", "since": "soon"}, "ESG", NAMES) == (
            "They showed interest in ESG."
        )
