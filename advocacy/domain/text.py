"""Marking messages for translation without depending on Flask-Babel.

The domain and the services produce messages that people read (an error to show next to a field,
a refusal on the sign-in page). They stay in English here; the web translates them where they are
shown, with `_(str(error))`. `N_` only marks a constant string so that `pybabel extract` puts it in
the catalogue (N_ is one of Babel's default keywords); it does nothing at run time.

Only constant strings can be marked: an f-string is never the same text twice, so it cannot be a
catalogue entry.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Return `message` unchanged; marks it for the translation catalogue."""
    return message
