"""Client links: one lookup decides whether a token opens a page, for every purpose."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from advocacy.services.access.client_links import create_link, issue_link, resolve_link
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("purpose", "at", "unused", "used", "opens"),
    [
        ("survey", NOW, False, False, True),
        ("survey", NOW + timedelta(days=6), False, False, True),
        ("survey", NOW + timedelta(days=7), False, False, False),  # expired at the instant
        ("referral", NOW, False, False, False),  # a token opens only its own purpose
        ("survey", NOW, False, True, True),  # a used link still shows a page that allows it
        ("survey", NOW, True, True, False),  # ...but not a one-use form
        ("survey", NOW, True, False, True),
    ],
)
def test_a_token_opens_only_a_live_link_of_its_own_purpose(
    session: Session, purpose: str, at: datetime, unused: bool, used: bool, opens: bool
) -> None:
    link, token = issue_link(
        session, purpose="survey", email="Ann@Client.example", valid_for=timedelta(days=7), now=NOW
    )
    if used:
        link.used_at = NOW
    found = resolve_link(session, token, purpose=purpose, now=at, unused=unused, lock=True)
    assert (found is link) is opens
    assert link.email == "ann@client.example"


@pytest.mark.parametrize("token", ["", "x", "A" * 32, "A" * 201, "é" * 50])
def test_an_unknown_or_absurd_token_opens_nothing(session: Session, token: str) -> None:
    create_link(session, purpose="survey", email="ann@client.example", now=NOW)
    assert resolve_link(session, token, purpose="survey", now=NOW) is None


def test_only_the_hash_of_a_token_is_stored(session: Session) -> None:
    link, token = issue_link(session, purpose="unsubscribe", email="bo@client.example", now=NOW)
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert link.expires_at is None
    assert resolve_link(session, token, purpose="unsubscribe", now=NOW + timedelta(days=3650))
