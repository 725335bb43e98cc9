"""Typed cells of the report tables: one value, shown as text in DOCX and PDF, stored as a number in XLSX.

A rate is a :class:`Percent` (the fraction 0–1; ``signed`` for a change such as 环比 +6.3%), a measure with decimals a
:class:`Fixed`. Plain ``int`` and ``str`` stay as they are. ``str(cell)`` is the text the documents print; XLSX writes
:attr:`number` with :attr:`excel_format`, so a spreadsheet can sum and sort what it gets.
"""

from __future__ import annotations

from dataclasses import dataclass

MISSING = "—"


@dataclass(frozen=True)
class Percent:
    value: float | None  # a fraction: 0.373 is 37.3 %
    digits: int = 1
    signed: bool = False

    def __str__(self) -> str:
        if self.value is None:
            return MISSING
        sign = "+" if self.signed else ""
        return f"{self.value * 100:{sign}.{self.digits}f}%"

    @property
    def number(self) -> float | None:
        return self.value

    @property
    def excel_format(self) -> str:
        body = "0." + "0" * self.digits + "%" if self.digits else "0%"
        return f"+{body};-{body};{body}" if self.signed else body


@dataclass(frozen=True)
class Fixed:
    value: float | None
    digits: int = 2

    def __str__(self) -> str:
        return MISSING if self.value is None else f"{self.value:.{self.digits}f}"

    @property
    def number(self) -> float | None:
        return self.value

    @property
    def excel_format(self) -> str:
        return "0." + "0" * self.digits if self.digits else "0"


Cell = int | float | str | Percent | Fixed | None


def change(percent: float | None) -> Percent:
    """A change given in percent points of the base (``rules.pct_change``: 6.3 for +6.3 %)."""
    return Percent(None if percent is None else percent / 100, signed=True)
