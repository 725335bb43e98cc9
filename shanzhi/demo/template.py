"""One kind of demo appeal (a template of the bank) and the seasons it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

HEATING = frozenset({10, 11, 12, 1, 2, 3, 4})
WINTER = frozenset({11, 12, 1, 2, 3})
SUMMER = frozenset({4, 5, 6, 7, 8, 9, 10})


@dataclass(frozen=True)
class Template:
    """One kind of appeal: its category path, words, and the unit's answer when solved."""

    category: str
    title: str
    content: str
    fix: str
    weight: float = 1.0
    appeal_type: str = "complaint"
    months: frozenset[int] | None = None
    rural: bool = False
