"""A typed number is read only when it is plain ASCII digits of a bounded length."""

from __future__ import annotations

import pytest

from advocacy.domain.numbers import whole_number


@pytest.mark.parametrize(
    ("text", "max_digits", "expected"),
    [
        ("42", 9, 42),
        (" 7 ", 9, 7),
        ("007", 9, 7),
        ("123456789", 9, 123456789),
        ("1234567890", 9, None),
        ("12345", 4, None),
        ("²", 9, None),
        ("①", 9, None),
        ("٣", 9, None),
        ("-1", 9, None),
        ("1.5", 9, None),
        ("", 9, None),
        (None, 9, None),
    ],
)
def test_only_plain_digits_of_a_bounded_length_are_a_number(
    text: str | None, max_digits: int, expected: int | None
) -> None:
    assert whole_number(text, max_digits=max_digits) == expected
