"""Alerts to a unit (not a citizen) through the same outbox: an SMS to the unit's duty phone (值班电话), written in
the caller's transaction and delivered after commit with the outbox's retries, like every other message.

The console shows the same alert to the unit's staff (the hotspot board); the SMS is for a duty officer who is not
looking at it. A unit without a mobile duty phone gets no SMS (``None``): the console still shows the alert.
"""

from __future__ import annotations

import logging

from shanzhi.core import clock, pii
from shanzhi.notifications.models import UNIT_ALERT_EVENT, NotificationChannel, OutboxMessage, OutboxState
from shanzhi.notifications.services import schedule_deliveries

logger = logging.getLogger("shanzhi.notifications")


def unit_alert_queue(*, phone: str, text: str, dedupe_key: str) -> OutboxMessage | None:
    """Queue ``text`` for the duty phone ``phone``; once per ``dedupe_key`` (e.g. ``hotspot:<id>``)."""
    number = pii.normalize_phone(phone or "")
    if not number or not pii.MOBILE_RE.match(number):
        logger.info("unit alert %s: no mobile duty phone, shown in the console only", dedupe_key)
        return None
    key = f"unit-alert:{dedupe_key}"[:160]
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        return None
    now = clock.now()
    message = OutboxMessage.objects.create(
        channel=NotificationChannel.SMS,
        recipient=number,
        event=UNIT_ALERT_EVENT,
        appeal=None,
        body=text,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        dedupe_key=key,
        created_at=now,
    )
    schedule_deliveries([message])
    return message
