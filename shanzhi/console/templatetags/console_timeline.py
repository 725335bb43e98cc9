"""The appeal timeline's words (:func:`shanzhi.console.display.event_title`) for the detail page."""

from __future__ import annotations

from django import template

from shanzhi.appeals.models import AppealEvent
from shanzhi.console import display

register = template.Library()


@register.simple_tag
def event_title(event: AppealEvent) -> str:
    return display.event_title(event.kind, str(event.get_kind_display()), event.payload)


@register.simple_tag
def event_detail(event: AppealEvent) -> str:
    return display.event_detail(event.kind, event.payload)
