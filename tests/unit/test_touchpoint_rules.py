"""Who may take back a touchpoint: a table of the cases."""

from __future__ import annotations

import pytest

from advocacy.domain.errors import NotAllowed
from advocacy.domain.touchpoints import (
    NOT_LOGGED_BY_HAND,
    ONLY_ITS_AUTHOR,
    RECORDS_WORK,
    removal_refusal,
)


@pytest.mark.parametrize(
    ("source", "closes_work", "logged_by", "user", "admin", "expected"),
    [
        ("manual", False, 7, 7, False, None),  # the author
        ("manual", False, 7, 8, True, None),  # an administrator
        (
            "manual",
            False,
            None,
            8,
            True,
            None,
        ),  # nobody's (e.g. logged through the API), by an admin
        ("manual", False, 7, 8, False, ONLY_ITS_AUTHOR),
        ("manual", False, None, 8, False, ONLY_ITS_AUTHOR),
        ("manual", True, 7, 7, False, RECORDS_WORK),  # closed a check-in: even the author
        ("manual", True, 7, 8, True, RECORDS_WORK),
        ("import", False, 7, 7, True, NOT_LOGGED_BY_HAND),
        ("system", False, None, 8, True, NOT_LOGGED_BY_HAND),
    ],
)
def test_who_may_remove_a_touchpoint(
    source: str, closes_work: bool, logged_by: int | None, user: int, admin: bool, expected: str
) -> None:
    refusal = removal_refusal(
        source=source, closes_work=closes_work, logged_by_id=logged_by, user_id=user, is_admin=admin
    )
    assert (refusal.message if refusal else None) == expected
    # Someone else may remove it (403), or nobody may (422): the type says which.
    assert isinstance(refusal, NotAllowed) is (expected == ONLY_ITS_AUTHOR)
