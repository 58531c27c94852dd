"""Time-zone names: one rule for which names are known and what an unknown one falls back to."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from advocacy.domain.time_zones import (
    MAX_TIMEZONE_LENGTH,
    is_known_timezone,
    selectable_timezones,
    zone_or_fallback,
)

OVER_LONG = "Europe/" + "x" * 300  # longer than a file name may be: ZoneInfo raises OSError


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("Europe/Paris", True),
        ("UTC", True),
        ("America/Argentina/Buenos_Aires", True),
        ("Mars/Olympus_Mons", False),  # well formed, not in the database
        ("", False),
        ("../etc/passwd", False),  # a path, not a key: ValueError
        ("/Europe/Paris", False),  # absolute: ValueError
        (OVER_LONG, False),  # OSError
    ],
)
def test_a_time_zone_is_known_only_when_its_iana_name_exists(name: str, known: bool) -> None:
    assert is_known_timezone(name) is known


@pytest.mark.parametrize(
    ("name", "fallback", "expected"),
    [
        ("Europe/Paris", "UTC", "Europe/Paris"),
        (None, "Europe/Paris", "Europe/Paris"),
        ("", "UTC", "UTC"),
        ("Mars/Olympus_Mons", "America/Montreal", "America/Montreal"),
        ("../etc/passwd", "UTC", "UTC"),
        (OVER_LONG, "Europe/Paris", "Europe/Paris"),
        (OVER_LONG, OVER_LONG, "UTC"),  # a broken fallback still gives a zone
    ],
)
def test_an_unknown_time_zone_falls_back_rather_than_failing(
    name: str | None, fallback: str, expected: str
) -> None:
    assert zone_or_fallback(name, fallback) == ZoneInfo(expected)


def test_the_selectable_time_zones_are_known_sorted_and_fit_the_column() -> None:
    zones = selectable_timezones()
    assert zones == sorted(zones)
    assert "Europe/Paris" in zones
    assert all(len(zone) <= MAX_TIMEZONE_LENGTH for zone in zones)
