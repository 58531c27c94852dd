"""Which account a row of a contacts file belongs to: company names compared without case, accents
or legal form, e-mail domains that say which company a person works for, and the default table
from a CRM's lifecycle words to our journey stages. Standard library only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

from advocacy.domain.csv_values import normalise
from advocacy.domain.journey import Stage

# Legal forms that CRMs keep or drop at will: "Acme Energy SA" and "ACME Energy" are one company.
LEGAL_FORMS: Final = frozenset(
    {
        "sa", "sas", "sasu", "sarl", "eurl", "sca", "scs", "snc", "sci", "scop", "selarl",
        "gmbh", "ag", "kg", "ug", "ltd", "limited", "plc", "llp", "lp", "inc", "incorporated",
        "corp", "corporation", "co", "llc", "bv", "nv", "spa", "srl", "sl", "ab", "as", "oy",
        "pty", "group", "groupe",
    }
)  # fmt: skip

# Addresses at these domains say nothing about the company a person works for.
PERSONAL_MAIL_DOMAINS: Final = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk", "hotmail.com",
        "hotmail.fr", "outlook.com", "outlook.fr", "live.com", "live.fr", "msn.com", "aol.com",
        "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
        "gmx.fr", "web.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net",
        "bbox.fr", "neuf.fr", "btinternet.com", "mail.com",
    }
)  # fmt: skip


# Company names and lifecycle words repeat on thousands of rows: remember the last few.
@lru_cache(maxsize=8192)
def account_key(name: str) -> str:
    """The form under which two spellings of one company name compare equal.

    Case, accents, punctuation and a trailing legal form are ignored ("Acme Energy S.A." →
    "acme energy"); a name made only of a legal form is kept as it is.
    """
    # Dots inside legal forms ("S.A.S.", "Co.") must not split them into letters.
    words = normalise(re.sub(r"\.", "", name)).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def company_domain(email: str) -> str | None:
    """The domain of a work address, or None for a personal mailbox or a malformed address."""
    _, at, domain = email.strip().lower().rpartition("@")
    if not at or "." not in domain or domain in PERSONAL_MAIL_DOMAINS:
        return None
    return domain


# The stage an account created by a contacts import starts at, from the file's lifecycle column.
# "" means the word says nothing about the relationship: the account starts as a prospect.
LIFECYCLE_STAGES: Final[Mapping[str, str]] = {
    # HubSpot "Lifecycle Stage"
    "subscriber": Stage.PROSPECT,
    "lead": Stage.PROSPECT,
    "marketing qualified lead": Stage.PROSPECT,
    "sales qualified lead": Stage.PROSPECT,
    "opportunity": Stage.PROSPECT,
    "customer": Stage.ACTIVE,
    "evangelist": Stage.ACTIVE,
    "former customer": Stage.FORMER,
    "other": "",
    # Salesforce account "Type", English and French
    "prospect": Stage.PROSPECT,
    "customer direct": Stage.ACTIVE,
    "customer channel": Stage.ACTIVE,
    "former customer direct": Stage.FORMER,
    "channel partner reseller": "",
    "installation partner": "",
    "technology partner": "",
    "client": Stage.ACTIVE,
    "client direct": Stage.ACTIVE,
    "client canal": Stage.ACTIVE,
    "ancien client": Stage.FORMER,
    "partenaire": "",
    "autre": "",
}


def lifecycle_table(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Normalised lifecycle word → stage ("" for none): the default table, then the user's
    choices from the mapping step, which win."""
    table = {normalise(word): str(stage) for word, stage in LIFECYCLE_STAGES.items()}
    table.update((normalise(word), str(stage)) for word, stage in (overrides or {}).items())
    return table


def lifecycle_stage(word: str, table: Mapping[str, str]) -> str | None:
    """The stage a lifecycle word stands for in `table` ("" for none); None when it is unknown."""
    return table.get(_normalised(word))


@lru_cache(maxsize=256)
def _normalised(word: str) -> str:
    return normalise(word)
