"""Template helpers of the console: translated labels, status tags, countdowns, masked personal data, navigation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from shanzhi.appeals.models import Appeal, Assignment
from shanzhi.console import display, navigation
from shanzhi.core import clock, pii

register = template.Library()

# Appeal and assignment states in which a deadline runs (the warning tags only make sense there).
RUNNING_STATES = frozenset({"dispatched", "in_progress", "pending", "signed"})


@register.filter
def label(value: Any) -> str:
    """A Chinese choice label from a model, in the user's language (the catalogue has them, see console.labels)."""
    text = str(value or "")
    return gettext(text) if text else ""


@register.simple_tag
def state_tag(obj: Appeal | Assignment) -> SafeString:
    """The coloured status tag; an appeal's yellow/red card and an overdue deadline get their own tag beside it."""
    is_assignment = isinstance(obj, Assignment)
    tone = display.state_tone(obj.state, assignment=is_assignment)
    html = format_html(
        '<span class="sz-tag sz-tag-{}" data-state="{}">{}</span>', tone, obj.state, gettext(obj.get_state_display())
    )
    if obj.state not in RUNNING_STATES:
        return html
    warning = getattr(obj, "warning", "none")
    if warning in display.WARNING_TONES:
        html += format_html(
            ' <span class="sz-tag sz-tag-{}">{}</span>',
            display.WARNING_TONES[warning],
            gettext(obj.get_warning_display()),
        )
    if warning != "red" and obj.due_at is not None and obj.due_at < clock.now():
        html += format_html(' <span class="sz-tag sz-tag-red">{}</span>', gettext("超期"))
    return html


@register.simple_tag
def countdown(
    due_at: dt.datetime | None,
    now: dt.datetime | None = None,
    start: dt.datetime | None = None,
    warn_at: dt.datetime | None = None,
    warning: str = "none",
) -> SafeString:
    """Time left, amber near the deadline, red when overdue; console.js keeps it ticking."""
    left = display.time_left(due_at=due_at, now=now or clock.now(), start=start, warn_at=warn_at, warning=warning)
    if due_at is None:
        return mark_safe('<span class="sz-countdown sz-left-none">—</span>')  # a constant, nothing to escape
    return format_html(
        '<span class="sz-countdown sz-left-{}" data-due="{}" data-warn="{}" title="{}">{}</span>',
        left.level,
        due_at.isoformat(),
        warn_at.isoformat() if warn_at else "",
        due_at.astimezone(clock.centre_tz()).strftime("%Y-%m-%d %H:%M"),
        left.text,
    )


@register.simple_tag
def centre_countdown(deadlines: dict[int, Any] | None, appeal: Any, now: dt.datetime | None = None) -> SafeString:
    """The centre's own countdown on a row waiting for it (the reply or the follow-up), or a dash."""
    deadline = deadlines.get(appeal.pk) if deadlines else None
    if deadline is None:
        return mark_safe('<span class="text-muted">—</span>')  # a constant, nothing to escape
    return format_html(
        '<span class="text-muted small me-1">{}</span>{}', deadline.label, countdown(deadline.due_at, now)
    )


@register.filter
def masked_phone(value: str) -> str:
    return pii.mask_phone(value or "")


@register.filter
def masked_name(value: str) -> str:
    return pii.mask_name(value or "")


@register.filter
def masked_address(value: str) -> str:
    return pii.mask_address(value or "")


@register.filter
def duration(value: dt.timedelta | None) -> str:
    return display.humanize_duration(value) if value is not None else ""


@register.inclusion_tag("console/partials/nav.html", takes_context=True)
def console_nav(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {"items": navigation.nav_items(request.user), "active": context.get("nav_active", "")}


@register.simple_tag
def user_roles(user: Any) -> str:
    return "、".join(gettext(text) for text in navigation.role_labels(user))


@register.filter
def state_label(code: str) -> str:
    """An appeal state code (as stored on events) as its label in the user's language."""
    from shanzhi.appeals.models import AppealState

    return gettext(str(dict(AppealState.choices).get(code, code)))
