"""Reading a whole number that a person typed or a link carried, without surprises.

`str.isdigit()` is true for characters `int()` refuses (superscripts such as "²", circled digits),
so "isdigit, then int" turns such input into a server error. Every query-string or form number goes
through `whole_number` instead.
"""

from __future__ import annotations

# Nine digits: every id and count the product uses fits, and nothing overflows a 32-bit column.
MAX_DIGITS = 9


def whole_number(text: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The number written in `text` (plain ASCII digits, at most `max_digits`), or None."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
