"""The outbox is written where the appeal changes: every appeal event saved (in its service's transaction) queues
what it sends, and the sending is enqueued after the commit (DESIGN §10.8: side effects after commit)."""

from __future__ import annotations

from typing import Any

from shanzhi.appeals.models import AppealEvent
from shanzhi.exchange.services import outbox_for_event, send_after_commit


def on_event_saved(sender: type[AppealEvent], instance: AppealEvent, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    send_after_commit(outbox_for_event(instance))
