"""Every message in the sources has a translation, and the compiled catalogues are up to date.

The messages are extracted from the current sources with babel.cfg, exactly as `pybabel extract`
does (docs/translations.md), so a new or changed string fails here until it is translated and the
catalogue recompiled; the committed .pot file is not trusted.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from advocacy.domain.identity import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PASSWORD_TOO_LONG,
    PASSWORD_TOO_SHORT,
)
from advocacy.settings import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "advocacy" / "translations"
SOURCE_LANGUAGE = "en"
# The same keywords as `pybabel extract -k _l`: Babel's defaults (_, gettext, N_...) plus the
# lazy_gettext alias used in forms.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
# A %-placeholder such as %(name)s or %(count)d, an escaped %%, or a lone % (which breaks Jinja's
# newstyle gettext, because every template string goes through the % operator).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|%")
TRANSLATED = sorted(language for language in LANGUAGES if language != SOURCE_LANGUAGE)


@cache
def extracted() -> tuple[tuple[str | tuple[str, ...], str], ...]:
    """(message, "file:line") for every use of a message in the sources; plurals as tuples."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return tuple(
        (message, f"{filename}:{lineno}")
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS
        )
    )


@cache
def source_messages() -> dict[str, str]:
    """msgid -> "file:line" of its first use, for every message in the sources."""
    found: dict[str, str] = {}
    for message, where in extracted():
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, where)
    return found


@cache
def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_extraction_finds_messages_from_python_templates_and_the_service_layer() -> None:
    # Guards the test itself: a broken babel.cfg would otherwise make every check below pass.
    messages = source_messages()
    assert "Sign in" in messages  # a template
    assert "Account manager" in messages  # lazy_gettext in the forms
    assert "Wrong e-mail or password." in messages  # N_ in the services
    assert PASSWORD_TOO_SHORT in messages  # N_ in the domain


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_offered_language_has_a_catalogue_that_compile_will_not_skip(language: str) -> None:
    assert (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").is_file()
    # pybabel compile silently skips a catalogue whose header is marked fuzzy.
    assert not catalogue(language).fuzzy


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_in_the_sources_has_a_reviewed_translation(language: str) -> None:
    translations = catalogue(language)
    problems = []
    for msgid, where in sorted(source_messages().items()):
        entry = translations.get(msgid)
        if entry is None:
            problems.append(f"missing ({where}): {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy:
            problems.append(f"fuzzy ({where}): {msgid!r}")
        elif not all(text.strip() for text in strings):
            problems.append(f"empty ({where}): {msgid!r}")
    assert not problems, "\n".join(problems)


# Words that French writes exactly as English does. Any other translation equal to its English
# original is English left on a French page.
SPELLED_THE_SAME: dict[str, frozenset[str]] = {
    "fr": frozenset(
        {
            "%(line)s (%(month)s)",  # a service line and the month it was introduced
            "%(num)d collection",
            "%(num)d message",
            "Action",
            "Actions",
            "Administration",
            "API",
            "Article",
            "Camp",
            "Champion",
            "Catalogue (%(count)d)",
            "Client",
            "Collection",
            "Collections",
            "Contact",
            "Contacts",
            "Date",
            "Dates",
            "Description",
            "E-mail",
            "E-mails",
            "Finance",
            "NPS",  # net promoter score: the same acronym in French
            "Import / export",
            "Influence",
            "Influence (1-5)",
            "influence %(n)d/5",
            "Initiative",
            "Logo",
            "Logos",
            "Manager",
            "Marketing",
            "Message",
            "Message %(num)d",
            "Note",
            "Notes",
            "NPS (0–10)",
            "Page %(num)d",
            "Pages",
            "Prospect",
            "Satisfaction (1–5)",
            "Score",
            "Sponsor",
            "Web",
        }
    ),
}


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_message_in_the_sources_is_left_in_english(language: str) -> None:
    translations = catalogue(language)
    allowed = SPELLED_THE_SAME.get(language, frozenset())
    problems = []
    for msgid, where in sorted(source_messages().items()):
        entry = translations.get(msgid)
        if entry is None:
            continue  # reported as missing above
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if any(text in ids for text in strings) and ids[0] not in allowed:
            problems.append(f"still English ({where}): {msgid!r}")
    assert not problems, "\n".join(problems)


# A count followed by a plural noun ("%(n)d quotes") reads wrong for one ("1 quotes"): such a
# message must be a plural entry (ngettext). These are limits that are never one.
COUNTED_NOUN = re.compile(r"%\(\w+\)d [a-z]+s\b")
NEVER_ONE = frozenset(
    {
        "A collection holds at most %(n)d quotes.",
        "A field is too long (%(limit)d characters at most).",
        "At least %(count)d characters.",
        "Keep the comment under %(max)d characters, please.",
        "Last %(num)d days",
        "More than %(n)d quotes: narrow the search",
        "Showing the first %(count)d rows.",
        "The latest %(shown)d of %(total)d touchpoints; each account's page lists them all.",
        "The name is too long (%(n)d characters at most).",
        "The purpose is too long (%(n)d characters at most).",
        "The testimonial is too long (at most %(n)d characters).",
        "Use at most %(max)d characters.",
    }
)


def test_a_message_that_counts_things_is_a_plural_entry() -> None:
    problems = [
        f"{where}: {message!r} (use ngettext)"
        for message, where in extracted()
        if isinstance(message, str) and COUNTED_NOUN.search(message) and message not in NEVER_ONE
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_the_original(language: str) -> None:
    problems = []
    for entry in catalogue(language):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = placeholders(ids[-1])
        for text in strings:
            if placeholders(text) != wanted:
                problems.append(f"{ids[0]!r}: {wanted} but {text!r} has {placeholders(text)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_file_is_the_compiled_po_file(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(language))  # what `pybabel compile` writes
    committed = (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert committed == compiled.getvalue(), (
        f"{language}/LC_MESSAGES/messages.mo is out of date: run "
        "`.venv/bin/pybabel compile -d advocacy/translations` (docs/translations.md)"
    )


def test_password_messages_state_the_current_limits() -> None:
    # The numbers are spelled out in these messages so that they can be catalogue entries.
    assert f"Use at least {MIN_PASSWORD_LENGTH} characters." == PASSWORD_TOO_SHORT
    assert f"Use at most {MAX_PASSWORD_LENGTH} characters." == PASSWORD_TOO_LONG
