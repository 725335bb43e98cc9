"""Delivering the outbox: claim due messages under a lease, send each through its channel's backend, record the
outcome, retry with back-off, give up after the last attempt. Safe in several workers at once (``SKIP LOCKED``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F

from shanzhi.core import pii, task_recovery
from shanzhi.notifications import rules
from shanzhi.notifications.backends import Notifier, PermanentSendError, SendError, get_notifier
from shanzhi.notifications.models import DUE_STATES, OTP_EVENT, OutboxMessage, OutboxState

logger = logging.getLogger("shanzhi.notifications")

# Messages claimed per lock round: small enough that a batch is sent well within the sending lease.
CLAIM_BATCH = 20


@dataclasses.dataclass
class DeliveryCounts:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "SHANZHI", {}).get(name, default)


def _max_attempts() -> int:
    return int(_setting("NOTIFY_MAX_ATTEMPTS", rules.DEFAULT_MAX_ATTEMPTS))


def _retry_delay(attempts: int) -> dt.timedelta:
    base = dt.timedelta(seconds=float(_setting("NOTIFY_RETRY_BASE_SECONDS", 60)))
    cap = dt.timedelta(seconds=float(_setting("NOTIFY_RETRY_MAX_SECONDS", 3600)))
    return rules.retry_delay(attempts, base=base, cap=cap)


def outbox_release_dead_claims(dead_workers: set[str], now: dt.datetime) -> int:
    """End at once the lease of messages held ``sending`` by task workers found dead (a recovery hook,
    :mod:`shanzhi.core.task_recovery`): the next attempt may take them now. The dead worker may have handed a message
    to the gateway before it died, so the citizen may get it twice — at least once, never lost; a gateway that takes
    a client reference dedups it by the message id."""
    if not dead_workers:
        return 0
    released = OutboxMessage.objects.filter(state=OutboxState.SENDING, claimed_by__in=dead_workers).update(
        next_attempt_at=now
    )
    if released:
        logger.warning("notifications: %d message(s) of stopped workers due again", released)
    return released


def _claim(*, now: dt.datetime, limit: int, message_id: int | None = None) -> tuple[list[OutboxMessage], int]:
    """Lock up to ``limit`` due messages and mark them ``sending``; returns them and how many were given up."""
    db = router.db_for_write(OutboxMessage)
    features = connections[db].features
    max_attempts = _max_attempts()
    with transaction.atomic(using=db):
        due = OutboxMessage.objects.using(db).filter(state__in=DUE_STATES, next_attempt_at__lte=now)
        if message_id is not None:
            due = due.filter(pk=message_id)
        due = due.order_by("next_attempt_at", "id")
        if features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        # SQLite has no row locks; its write transactions (IMMEDIATE mode) serialise claimers instead.
        rows = list(due.only("id", "state", "attempts")[:limit])
        expired = [r.pk for r in rows if r.state == OutboxState.SENDING and rules.gives_up(r.attempts, max_attempts)]
        if expired:
            OutboxMessage.objects.using(db).filter(pk__in=expired).update(
                state=OutboxState.DEAD,
                next_attempt_at=None,
                last_error=rules.safe_error_note("lease_expired", "worker stopped while sending"),
            )
            logger.warning("notifications given up after a stopped worker: %s", expired)
        claim_ids = [r.pk for r in rows if r.pk not in set(expired)]
        if claim_ids:
            OutboxMessage.objects.using(db).filter(pk__in=claim_ids).update(
                state=OutboxState.SENDING,
                attempts=F("attempts") + 1,
                next_attempt_at=now + rules.SENDING_LEASE,
                claimed_by=task_recovery.current_worker_id(),
            )
    claimed = list(OutboxMessage.objects.using(db).select_related("appeal").filter(pk__in=claim_ids).order_by("id"))
    return claimed, len(expired)


def _record(message: OutboxMessage, **changes: Any) -> bool:
    """Write the outcome of an attempt, unless another worker took the message over in the meantime."""
    updated = OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENDING, attempts=message.attempts).update(
        **changes
    )
    if not updated:
        logger.warning("notification %s: lease lost before the outcome was recorded", message.pk)
        return False
    for name, value in changes.items():
        setattr(message, name, value)
    return True


def _attempt(message: OutboxMessage, *, now: dt.datetime, notifiers: dict[str, Notifier]) -> str:
    """One attempt; returns the message's new state."""
    try:
        notifier = notifiers.get(message.channel)
        if notifier is None:
            notifier = notifiers[message.channel] = get_notifier(message.channel)
        result = notifier.send(message)
    except SendError as error:
        note = rules.safe_error_note(error.code, error.detail)
        permanent = isinstance(error, PermanentSendError)
    except Exception as error:  # a bug or an unexpected library error: keep the message and retry
        note = rules.safe_error_note("backend_error", type(error).__name__)
        permanent = False
    else:
        _record(
            message,
            state=OutboxState.SENT,
            sent_at=now,
            next_attempt_at=None,
            last_error="",
            provider_message_id=result.provider_message_id[:100],
            **_after_delivery(message),
        )
        return OutboxState.SENT
    masked = pii.mask_phone(message.recipient)
    if permanent or rules.gives_up(message.attempts, _max_attempts()):
        _record(message, state=OutboxState.DEAD, next_attempt_at=None, last_error=note, **_after_delivery(message))
        logger.error(
            "notification %s to %s given up after %d attempt(s): %s", message.pk, masked, message.attempts, note
        )
        return OutboxState.DEAD
    retry_at = now + _retry_delay(message.attempts)
    _record(message, state=OutboxState.FAILED, next_attempt_at=retry_at, last_error=note)
    logger.warning(
        "notification %s to %s attempt %d failed: %s; retry at %s",
        message.pk,
        masked,
        message.attempts,
        note,
        retry_at.isoformat(),
    )
    return OutboxState.FAILED


def _after_delivery(message: OutboxMessage) -> dict[str, str]:
    """A one-time code is kept in clear only until it has been handed over (or given up): then its text is blanked."""
    return {"body": rules.secret_redacted(message.body)} if message.event == OTP_EVENT else {}


def _tally(counts: DeliveryCounts, state: str) -> None:
    if state == OutboxState.SENT:
        counts.sent += 1
    elif state == OutboxState.FAILED:
        counts.retried += 1
    else:
        counts.dead += 1


def outbox_deliver(*, now: dt.datetime, limit: int = 200) -> DeliveryCounts:
    """Send up to ``limit`` due messages (the periodic sweep). Safe to run in several workers at once."""
    counts = DeliveryCounts()
    notifiers: dict[str, Notifier] = {}
    remaining = limit
    while remaining > 0:
        batch, given_up = _claim(now=now, limit=min(remaining, CLAIM_BATCH))
        counts.dead += given_up
        if not batch and not given_up:
            break
        remaining -= len(batch) + given_up
        counts.claimed += len(batch)
        for message in batch:
            _tally(counts, _attempt(message, now=now, notifiers=notifiers))
    if counts.claimed or counts.dead:
        logger.info("notification sweep: %s", counts.as_dict())
    return counts


def outbox_deliver_message(*, message_id: int, now: dt.datetime) -> str:
    """Send one message if it is due and no other worker holds it; returns its state afterwards."""
    batch, given_up = _claim(now=now, limit=1, message_id=message_id)
    if batch:
        return _attempt(batch[0], now=now, notifiers={})
    if given_up:
        return OutboxState.DEAD
    state = OutboxMessage.objects.filter(pk=message_id).values_list("state", flat=True).first()
    return state or "missing"
