"""Template helpers of the report pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dictget(mapping: Any, key: str) -> Any:
    """``{{ row|dictget:code }}``: a value of a dict by a key held in a variable."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
