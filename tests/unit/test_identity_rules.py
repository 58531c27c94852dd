"""Staff identity rules, as plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.identity import (
    IdentityError,
    Role,
    SessionClock,
    normalise_email,
    parse_role,
    password_problem,
    safe_next_path,
    session_end_reason,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "relative/path",
        "/path\nSet-Cookie: x",
        "/tab\tpath",
        "/" + "a" * 2001,
    ],
)
def test_next_refuses_anything_but_a_same_site_relative_path(raw: str | None) -> None:
    assert safe_next_path(raw) is None


@pytest.mark.parametrize("raw", ["/", "/admin/users", "/preferences?tab=1", "/a/b#frag"])
def test_next_keeps_same_site_relative_paths(raw: str) -> None:
    assert safe_next_path(raw) == raw


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short", "at least 12"),
        (" " * 12, "only spaces"),
        ("ana.lopez123", None),
        ("ana.lopez", "at least 12"),
        ("x" * 1025, "at most"),
        ("a long enough passphrase", None),
    ],
)
def test_password_rules(password: str, expected: str | None) -> None:
    problem = password_problem(password, "ana.lopez@firm.example")
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_a_password_cannot_be_the_email_local_part() -> None:
    assert password_problem("Ana.Lopez.Firm", "ana.lopez.firm@firm.example") is not None


@pytest.mark.parametrize(
    ("signed_in_ago", "last_seen_ago", "expected"),
    [
        (timedelta(minutes=5), timedelta(minutes=1), None),
        (timedelta(hours=3), timedelta(minutes=119), None),
        (timedelta(hours=3), timedelta(minutes=120), "idle"),
        (timedelta(hours=12), timedelta(minutes=1), "expired"),
        (timedelta(hours=13), timedelta(hours=3), "expired"),
    ],
)
def test_a_session_ends_when_idle_or_too_old(
    signed_in_ago: timedelta, last_seen_ago: timedelta, expected: str | None
) -> None:
    clock = SessionClock(T0 - signed_in_ago, T0 - last_seen_ago)
    reason = session_end_reason(
        clock, now=T0, idle=timedelta(minutes=120), lifetime=timedelta(hours=12)
    )
    assert reason == expected


def test_roles_are_parsed_strictly() -> None:
    assert parse_role(" marketing ") is Role.MARKETING
    with pytest.raises(IdentityError, match="account_manager"):
        parse_role("superuser")


def test_emails_are_compared_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Ana@Firm.Example ") == "ana@firm.example"
