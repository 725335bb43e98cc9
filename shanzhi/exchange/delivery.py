"""Sending the outbox: claim due deliveries under a lease, send each through its target, record the outcome, retry
with back-off, give up after the last attempt (a dead letter the console shows). Safe in several workers at once
(``SKIP LOCKED`` on PostgreSQL; SQLite serialises its writers).

Order: a city order's messages go out in the order they were written — a later one waits while an earlier one of
the same order is still pending (a result never overtakes the status before it). A dead letter does not hold the
ones after it. The receiver deduplicates by ``message_id`` (also sent as ``Idempotency-Key``), so a message sent
again after a worker stopped between sending and recording is still received once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F, Min

from shanzhi.exchange import rules
from shanzhi.exchange.adapters import (
    CityAdapter,
    Envelope,
    PermanentSendError,
    SendError,
    city_adapter,
    exchange_setting,
    post_signed,
)
from shanzhi.exchange.models import DUE_STATES, Delivery, DeliveryState, Target

logger = logging.getLogger("shanzhi.exchange")

CLAIM_BATCH = 50


@dataclasses.dataclass
class Counts:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def max_attempts() -> int:
    return int(exchange_setting("EXCHANGE_MAX_ATTEMPTS", rules.DEFAULT_MAX_ATTEMPTS))


def _delays() -> tuple[dt.timedelta, dt.timedelta]:
    base = float(exchange_setting("EXCHANGE_RETRY_BASE_SECONDS", rules.DEFAULT_RETRY_BASE.total_seconds()))
    cap = float(exchange_setting("EXCHANGE_RETRY_MAX_SECONDS", rules.DEFAULT_RETRY_CAP.total_seconds()))
    return dt.timedelta(seconds=base), dt.timedelta(seconds=cap)


def _claim(*, now: dt.datetime, limit: int, delivery_id: int | None) -> list[Delivery]:
    db = router.db_for_write(Delivery)
    features = connections[db].features
    with transaction.atomic(using=db):
        due = Delivery.objects.using(db).filter(state__in=DUE_STATES, next_attempt_at__lte=now)
        if delivery_id is not None:
            due = due.filter(pk=delivery_id)
        due = due.order_by("next_attempt_at", "id")
        if features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.only("id", "order_id", "target")[:limit])
        # A city order's first undelivered message goes first; the later ones wait for it.
        orders = {r.order_id for r in rows if r.target == Target.CITY and r.order_id is not None}
        first_open = dict(
            Delivery.objects.using(db)
            .filter(order_id__in=orders, target=Target.CITY, state__in=DUE_STATES)
            .values("order_id")
            .annotate(first=Min("id"))
            .values_list("order_id", "first")
        )
        ids = [
            r.pk for r in rows if r.order_id is None or r.target != Target.CITY or first_open.get(r.order_id) == r.pk
        ]
        if ids:
            Delivery.objects.using(db).filter(pk__in=ids).update(
                state=DeliveryState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + rules.SENDING_LEASE
            )
    return list(Delivery.objects.using(db).select_related("subscription").filter(pk__in=ids).order_by("id"))


def _record(delivery: Delivery, **changes: Any) -> None:
    updated = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, attempts=delivery.attempts).update(
        **changes
    )
    if not updated:
        logger.warning(
            "exchange: delivery %s taken over by another worker before its outcome was recorded", delivery.pk
        )


def _send(delivery: Delivery, *, city: CityAdapter) -> None:
    if delivery.target == Target.CITY:
        city.send(uid=str(delivery.uid), body=delivery.payload, event=delivery.event_kind)
        return
    sub = delivery.subscription
    if sub is None or not sub.is_active:
        raise PermanentSendError("unsubscribed", "the subscription was removed or switched off")
    post_signed(
        Envelope(
            str(delivery.uid),
            sub.url,
            sub.secret,
            delivery.payload,
            delivery.event_kind,
            signature_header=rules.WEBHOOK_SIGNATURE_HEADER,
        )
    )


def _attempt(delivery: Delivery, *, now: dt.datetime, city: CityAdapter, counts: Counts) -> None:
    try:
        _send(delivery, city=city)
    except SendError as error:
        base, cap = _delays()
        state, next_at = rules.outcome_after_failure(
            attempts=delivery.attempts,
            max_attempts=max_attempts(),
            permanent=isinstance(error, PermanentSendError),
            now=now,
            base=base,
            cap=cap,
        )
        _record(
            delivery, state=state, next_attempt_at=next_at, last_error=rules.safe_error_note(error.code, error.detail)
        )
        if state == DeliveryState.DEAD:
            counts.dead += 1
            logger.warning(
                "exchange: delivery %s given up after %s attempts (%s)", delivery.pk, delivery.attempts, error.code
            )
        else:
            counts.retried += 1
        return
    _record(delivery, state=DeliveryState.SENT, sent_at=now, next_attempt_at=None, last_error="")
    counts.sent += 1


def deliveries_send(
    *, now: dt.datetime, limit: int = 500, delivery_id: int | None = None, city: CityAdapter | None = None
) -> Counts:
    """Send what is due (the periodic sweep, or one delivery right after its commit)."""
    counts = Counts()
    adapter = city or city_adapter()
    while counts.claimed < limit:
        batch = _claim(now=now, limit=min(CLAIM_BATCH, limit - counts.claimed), delivery_id=delivery_id)
        if not batch:
            break
        counts.claimed += len(batch)
        for delivery in batch:
            _attempt(delivery, now=now, city=adapter, counts=counts)
        if delivery_id is not None:
            break
    return counts
