"""How the console writes the classifier's probabilities: two decimals, but never a bare 1.00 or 0.00 (a model is
never certain, and an alternative it ranks is not impossible)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def probability(value: Any) -> str:
    """0.6234 → '0.62'; 0.0004 → '<0.01'; 0.9991 → '>0.99'; junk → '—'."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if number != number:
        return "—"
    if number < 0.005:
        return "<0.01"
    if number >= 0.995:
        return ">0.99"
    return f"{number:.2f}"
