"""Reading a row id from text the outside world sent (a URL, a form, a query string).

``str.isdigit()`` is true for Unicode digits (``"²"``, ``"¹"``, ``"٣"``) that ``int()`` refuses or reads differently,
and ``int()`` takes numbers no database column holds: both were server errors. :func:`as_id` takes ASCII digits only,
in the range of a 64-bit primary key.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def is_id_text(text: object) -> bool:
    """``text`` is a string of ASCII digits that fits a primary key (no sign, no spaces)."""
    return isinstance(text, str) and _ASCII_DIGITS.fullmatch(text) is not None and 0 < int(text) <= MAX_ID


def as_id(text: object) -> int | None:
    """The id ``text`` spells (an int in range, or such a string), else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 < text <= MAX_ID else None
    return int(text) if isinstance(text, str) and is_id_text(text) else None
