"""Catalogue messages in a chosen language, outside the reader's request (jobs, calendar feeds).

The web translates into the reader's language; a calendar feed is read by a calendar server on
behalf of its owner, so it speaks the owner's language instead. Needs an application context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask_babel import force_locale, gettext


@contextmanager
def speaking(language: str) -> Iterator[Callable[..., str]]:
    """A gettext that answers in `language` while the block runs."""
    with force_locale(language):
        yield gettext
