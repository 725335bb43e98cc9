"""Fixtures for the notification tests: appeals made directly with the ORM, a scripted backend, a clock."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from shanzhi.appeals.models import Appeal, Channel
from shanzhi.notifications import delivery
from shanzhi.notifications.backends import SendResult

PHONE = "13812345678"
T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)

_counter = itertools.count(1)


@pytest.fixture
def make_appeal(db) -> Callable[..., Appeal]:
    def make(**fields: Any) -> Appeal:
        n = next(_counter)
        values: dict[str, Any] = {
            "tracking_no": f"HB20261128-{n:06d}",
            "channel": Channel.HOTLINE,
            "title": "小区路灯不亮",
            "content": "和平小区3号楼前路灯连续一周不亮，晚上出行不便。",
            "citizen_name": "张三",
            "citizen_phone": PHONE,
            "created_at": T0,
        }
        values.update(fields)
        return Appeal.objects.create(**values)

    return make


class ScriptedBackend:
    """Plays back a script of outcomes: an exception instance is raised, anything else means success."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[tuple[int, str, str]] = []

    def send(self, message: Any) -> SendResult:
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(outcome, BaseException):
            raise outcome
        self.sent.append((message.pk, message.recipient, message.body))
        return SendResult(provider_message_id=f"scripted-{message.pk}")


@pytest.fixture
def scripted(monkeypatch) -> Callable[..., ScriptedBackend]:
    """``scripted(TransientSendError("x"), ...)`` makes the outbox send through a ScriptedBackend."""

    def install(*outcomes: Any) -> ScriptedBackend:
        backend = ScriptedBackend(*outcomes)
        monkeypatch.setattr(delivery, "get_notifier", lambda channel: backend)
        return backend

    return install


@pytest.fixture
def shanzhi_settings(settings) -> Callable[..., None]:
    """``shanzhi_settings(NOTIFY_MAX_ATTEMPTS=3)`` overrides keys of settings.SHANZHI for one test."""

    def override(**values: Any) -> None:
        settings.SHANZHI = {**settings.SHANZHI, **values}

    return override


@pytest.fixture
def immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
