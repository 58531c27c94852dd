"""Time-zone names: which ones are known, and the zone to use when a stored name is not."""

from __future__ import annotations

import zoneinfo
from zoneinfo import ZoneInfo

FALLBACK_TIMEZONE = "UTC"
# The longest name a time-zone column holds; longer names are refused rather than cut.
MAX_TIMEZONE_LENGTH = 64


def is_known_timezone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows (e.g. Europe/Paris)."""
    try:
        ZoneInfo(name)
    # ValueError: a malformed key such as "../x"; OSError: a name too long for the file system.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def zone_or_fallback(name: str | None, fallback: str = FALLBACK_TIMEZONE) -> ZoneInfo:
    """The zone called `name`; an empty or unknown name gives `fallback` rather than failing."""
    # Forms validate time zones; a row written some other way must still render.
    if name and is_known_timezone(name):
        return ZoneInfo(name)
    return ZoneInfo(fallback if is_known_timezone(fallback) else FALLBACK_TIMEZONE)


def selectable_timezones() -> list[str]:
    """Every known time-zone name that fits the column, sorted."""
    return sorted(z for z in zoneinfo.available_timezones() if len(z) <= MAX_TIMEZONE_LENGTH)
