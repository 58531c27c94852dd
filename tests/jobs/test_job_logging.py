"""How runs are logged: every run at INFO, except the frequent (quiet) jobs, whose runs go to
DEBUG unless one is slow; a failure is always logged with its traceback."""

from __future__ import annotations

import logging
import time

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from jobs import runner
from jobs.definitions import JobSpec


def _spec(function, *, quiet: bool) -> JobSpec:  # type: ignore[no-untyped-def]
    return JobSpec("test.job", function, IntervalTrigger(seconds=5), quiet=quiet)


def _levels(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "advocacy.jobs"]


def test_a_daily_job_logs_its_runs_at_info(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="advocacy.jobs")
    assert runner.run_in_app(app, _spec(lambda: 7, quiet=False))() == 7
    levels = _levels(caplog)
    assert [level for level, _ in levels] == [logging.INFO, logging.INFO]
    assert levels[0][1] == "job test.job started" and "finished in" in levels[1][1]


def test_a_quiet_job_logs_at_debug_unless_slow(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG, logger="advocacy.jobs")
    runner.run_in_app(app, _spec(lambda: None, quiet=True))()
    assert [level for level, _ in _levels(caplog)] == [logging.DEBUG, logging.DEBUG]
    caplog.clear()
    monkeypatch.setattr(runner, "SLOW_RUN_S", 0.05)
    runner.run_in_app(app, _spec(lambda: time.sleep(0.1), quiet=True))()
    assert [level for level, _ in _levels(caplog)] == [logging.DEBUG, logging.INFO]


def test_a_failing_quiet_job_is_logged_as_an_error(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="advocacy.jobs")

    def broken() -> None:
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError):
        runner.run_in_app(app, _spec(broken, quiet=True))()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None
    assert "job test.job failed after" in errors[0].getMessage()
