"""What the centre tells citizens, and by which channel: the codes callers, templates and the outbox share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models


class NotificationChannel(models.TextChoices):
    SMS = "sms", "短信"
    PORTAL = "portal", "门户站内信"


class NotificationEvent(models.TextChoices):
    """What the centre tells the citizen. Codes are stable: callers and templates use them."""

    RECEIVED = "received", "已收到"
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派遣"
    NEEDS_INFO = "needs_info", "待补充"
    REPLIED = "replied", "已答复"
    FOLLOW_UP = "follow_up", "回访"
    CLOSED = "closed", "已办结"
    REJECTED = "rejected", "不予受理"
    ANSWERED = "answered", "直接答复"
    MERGED = "merged", "已合并"


# --- notices about other subjects (an appointment, a case …) -------------------------------------------------


@dataclass(frozen=True)
class SubjectEvent:
    """A notice another app sends through the same outbox about a subject of its own (not an appeal): its stable
    code (at most 16 characters, never one of :class:`NotificationEvent`), its label, the built-in text and the
    placeholders that text and the admin's override may use (name → label)."""

    code: str
    label: str
    default_text: Any
    placeholders: Mapping[str, Any] = field(default_factory=dict)


_subject_events: dict[str, SubjectEvent] = {}


def register_subject_event(
    code: str, label: str, default_text: Any, placeholders: Mapping[str, Any] | None = None
) -> SubjectEvent:
    """Declare a notice (in the app's ``AppConfig.ready()``; registering a code again replaces it)."""
    if not code or len(code) > 16 or code in NotificationEvent.values or code == "otp":
        raise ValueError(f"invalid subject event code {code!r}")
    event = SubjectEvent(code, label, default_text, dict(placeholders or {}))
    _subject_events[code] = event
    return event


def subject_event(code: str) -> SubjectEvent | None:
    return _subject_events.get(code)


def subject_event_choices() -> list[tuple[str, str]]:
    return [(e.code, e.label) for e in _subject_events.values()]
