"""The hourly refresh of the analytics pages' stored answers, as a job and as a command; the
pages and the home page's numbers read what it stored while it is fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlmodel import select

from advocacy.cli_analytics import analytics_group
from advocacy.db import db_session
from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.models import StoredAnswer
from advocacy.services.analytics import dashboard, stored
from advocacy.services.analytics.questions import QUESTIONS, find
from advocacy.settings import LANGUAGES
from jobs import runner
from jobs.cli import jobs_group
from tests.conftest import NOW
from tests.factories import make_account, make_engagement


def _stored(app: Flask) -> set[tuple[str, str]]:
    with app.app_context():
        return {(row.slug, row.locale) for row in db_session().exec(select(StoredAnswer))}


def test_the_refresh_job_is_declared_and_stores_every_question_in_every_language(
    app: Flask,
) -> None:
    assert "analytics.refresh" in {spec.id for spec in runner.specs(app)}
    result = app.test_cli_runner().invoke(jobs_group, ["run-once", "analytics.refresh"])
    assert result.exit_code == 0, result.output
    assert _stored(app) == {(q.slug, lang) for q in QUESTIONS for lang in LANGUAGES}


def test_the_command_reports_its_progress_and_stores_the_answers(app: Flask) -> None:
    result = app.test_cli_runner().invoke(analytics_group, ["refresh"])
    assert result.exit_code == 0, result.output
    assert f"analytics: {len(QUESTIONS) * len(LANGUAGES)} answers stored" in result.output
    assert "analytics: pre-purchase (fr) computed" in result.output


def test_a_fresh_stored_answer_is_used_and_a_stale_one_is_computed_again(app: Flask) -> None:
    question = find("pre-purchase")
    assert question is not None
    with app.test_request_context():
        session = db_session()
        stored.refresh(session, now=NOW)
        make_engagement(session, make_account(session), status="won")  # after the refresh
        fresh = timedelta(hours=2)

        def decisions(now: datetime, filters: AnalyticsFilters | None = None) -> float | None:
            answer = stored.current_answer(
                session,
                question,
                filters or AnalyticsFilters(),
                now=now,
                locale="en",
                fresh_for=fresh,
            )
            return answer.headlines[0].value

        assert decisions(NOW + timedelta(hours=1)) == 0  # stored before the engagement
        assert decisions(NOW + timedelta(hours=3)) == 1  # stale: computed again
        assert decisions(NOW, AnalyticsFilters(period_end=NOW.date())) == 1  # filtered: live
        numbers = dashboard.headline_numbers(session, now=NOW + timedelta(hours=1))
        assert len(numbers) == dashboard.PER_QUESTION * len(QUESTIONS)
        assert numbers[0].key == "decisions"
        assert dashboard.headline_numbers(session, now=NOW + timedelta(days=3)) == ()


def test_the_refresh_runs_a_minute_after_the_start_then_at_the_set_interval(
    app_factory: Any,
) -> None:
    app = app_factory(analytics_refresh_minutes=15)
    [spec] = [spec for spec in runner.specs(app) if spec.id == "analytics.refresh"]
    started = datetime.now(UTC)
    first = spec.trigger.get_next_fire_time(None, started)
    assert first is not None and timedelta(0) < first - started <= timedelta(minutes=1, seconds=5)
    assert spec.trigger.get_next_fire_time(first, first) - first == timedelta(minutes=15)
