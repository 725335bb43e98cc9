"""Use cases of the exchange: take in a city order (idempotent by its id), queue what goes out for an appeal event
(in the event's own transaction), resend a dead letter, subscribe a webhook, poll the city's order list."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.intake import appeal_intake
from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Channel
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.exchange import rules, tasks
from shanzhi.exchange.adapters import SendError, city_adapter, exchange_setting
from shanzhi.exchange.models import (
    CityOrder,
    Delivery,
    DeliveryState,
    OrderVia,
    PollCursor,
    Target,
    WebhookSubscription,
)
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import INTAKE_ROLES, holds, may_administer, may_dispatch

logger = logging.getLogger("shanzhi.exchange")

ORDER_FIELDS = (
    "title", "content", "appeal_type", "urgency", "category", "citizen_name", "citizen_phone", "address",
    "longitude", "latitude", "area_code",
)  # fmt: skip


def _iso(moment: dt.datetime | None) -> str:
    return moment.astimezone(clock.centre_tz()).isoformat() if moment else ""


def _deadline(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value) if isinstance(value, str) and value else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.centre_tz())
    return parsed


# --- inbound ----------------------------------------------------------------------------------------------------


def order_receive(
    *, actor: User, order: Mapping[str, Any], via: str = OrderVia.PUSH, at: dt.datetime | None = None
) -> tuple[CityOrder, bool]:
    """One city order → one appeal (channel ``city_12345``). The same order id again returns the first one and
    changes nothing. Bad input is the intake's coded refusal; nothing is written then."""
    if not holds(actor, INTAKE_ROLES):
        raise PermissionDenied(_("该账号不能接收市平台工单"), code="exchange_not_allowed")
    order_id = str(order.get("order_id") or "").strip()
    if not order_id or len(order_id) > 64:
        raise ValidationFailed(_("缺少市平台工单号"), code="order_id_required")
    existing = CityOrder.objects.select_related("appeal").filter(order_id=order_id).first()
    if existing is not None:
        return existing, False
    fields = {name: order[name] for name in ORDER_FIELDS if order.get(name) not in (None, "")}
    at = at or clock.now()
    try:
        with transaction.atomic():
            result = appeal_intake(
                actor=actor,
                idempotency_key=f"city12345:{order_id}",
                at=at,
                channel=Channel.CITY_12345,
                external_ref=order_id,
                external_due_at=_deadline(order.get("deadline")),
                **fields,  # type: ignore[arg-type]
            )
            city_order = CityOrder.objects.create(
                order_id=order_id,
                appeal=result.appeal,
                via=via,
                city_deadline=_deadline(order.get("deadline")),
                received_at=at,
            )
            # The intake writes its events in bulk (no signal): the city hears of the acceptance here.
            accepted = _queue_city(
                city_order,
                appeal=result.appeal,
                source_key=f"intake:{result.appeal.pk}",
                event_kind="accepted",
                state=result.appeal.state,
                text="",
                at=at,
            )
            send_after_commit([accepted.pk])
    except IntegrityError:
        existing = CityOrder.objects.select_related("appeal").filter(order_id=order_id).first()
        if existing is None:
            raise
        return existing, False
    logger.info("exchange: city order taken in as %s", result.appeal.tracking_no)
    return city_order, True


def _enqueue(ids: list[int]) -> None:
    for pk in ids:
        try:
            tasks.deliver.enqueue(pk)
        except Exception as error:  # the periodic sweep sends it anyway
            logger.warning("exchange: enqueueing delivery %s failed (%s)", pk, type(error).__name__)


def send_after_commit(ids: list[int]) -> None:
    """Send these deliveries right after the transaction that wrote them commits (the sweep is the safety net)."""
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))


# --- outbound: the outbox ---------------------------------------------------------------------------------------


def _queue_city(
    city_order: CityOrder, *, appeal: Appeal, source_key: str, event_kind: str, state: str, text: str, at: dt.datetime
) -> Delivery:
    uid = uuid.uuid4()
    kind = rules.city_message_kind(event_kind) or "status"
    lead = appeal.lead_unit.name if appeal.lead_unit_id and appeal.lead_unit else ""
    body = {
        "message_id": str(uid),
        "order_id": city_order.order_id,
        "tracking_no": appeal.tracking_no,
        "kind": kind,
        "event": event_kind,
        "state": state,
        "state_label": str(AppealState(state).label) if state in AppealState.values else state,
        "unit": lead,
        "text": text,
        "at": _iso(at),
    }
    return Delivery.objects.create(
        uid=uid,
        target=Target.CITY,
        order=city_order,
        appeal=appeal,
        source_key=source_key,
        event_kind=event_kind,
        payload=body,
        next_attempt_at=at,
        created_at=at,
    )


def _webhook_delivery(
    sub: WebhookSubscription, *, appeal: Appeal, kind: str, from_state: str, to_state: str, at: dt.datetime, key: str
) -> Delivery:
    uid = uuid.uuid4()
    body = {
        "id": str(uid),
        "event": kind,
        "tracking_no": appeal.tracking_no,
        "from_state": from_state,
        "to_state": to_state or appeal.state,
        "category": appeal.category.code if appeal.category_id and appeal.category else "",
        "area_code": appeal.area.code if appeal.area_id and appeal.area else "",
        "lead_unit": appeal.lead_unit.name if appeal.lead_unit_id and appeal.lead_unit else "",
        "channel": appeal.channel,
        "at": _iso(at),
    }
    return Delivery(
        uid=uid,
        target=Target.WEBHOOK,
        subscription=sub,
        appeal=appeal,
        source_key=key,
        event_kind=kind,
        payload=body,
        next_attempt_at=at,
        created_at=at,
    )


def _queue_webhook(sub: WebhookSubscription, event: AppealEvent, appeal: Appeal) -> Delivery:
    row = _webhook_delivery(
        sub,
        appeal=appeal,
        kind=event.kind,
        from_state=event.from_state,
        to_state=event.to_state,
        at=event.created_at,
        key=f"event:{event.pk}",
    )
    row.save()
    return row


#: How far back the scan for new appeals looks (appeals commit out of id order; the unique key drops repeats).
NEW_APPEAL_LOOKBACK = dt.timedelta(minutes=15)


def webhooks_queue_new_appeals(*, now: dt.datetime) -> int:
    """The ``received`` event for subscribers. The intake writes its events in bulk (no signal), so new appeals are
    found by a periodic scan of the last minutes; each (subscriber, appeal) is queued once (the unique key)."""
    subs = [s for s in WebhookSubscription.objects.filter(is_active=True) if s.wants("received")]
    if not subs:
        return 0
    since = now - NEW_APPEAL_LOOKBACK
    appeals = list(
        Appeal.objects.filter(created_at__gte=since, created_at__lte=now)
        .select_related("category", "area", "lead_unit")
        .order_by("id")[:5000]
    )
    rows = [
        _webhook_delivery(sub, appeal=a, kind="received", from_state="", to_state=a.state, at=now, key=f"appeal:{a.pk}")
        for sub in subs
        for a in appeals
        if a.created_at >= sub.created_at
    ]
    before = Delivery.objects.filter(target=Target.WEBHOOK, event_kind="received").count()
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return Delivery.objects.filter(target=Target.WEBHOOK, event_kind="received").count() - before


def outbox_for_event(event: AppealEvent) -> list[int]:
    """Queue what this appeal event sends: a status or result for the city (if the appeal came from it) and an
    event for each subscriber that wants it. Called in the transaction that wrote the event; returns the ids."""
    queued: list[int] = []
    appeal = event.appeal
    if rules.city_message_kind(event.kind) is not None:
        city_order = CityOrder.objects.filter(appeal_id=event.appeal_id).first()
        if city_order is not None:
            text = event.reason if rules.city_message_kind(event.kind) == "result" else ""
            queued.append(
                _queue_city(
                    city_order,
                    appeal=appeal,
                    source_key=f"event:{event.pk}",
                    event_kind=event.kind,
                    state=event.to_state or appeal.state,
                    text=text,
                    at=event.created_at,
                ).pk
            )
    if event.kind in rules.WEBHOOK_EVENTS:
        for sub in WebhookSubscription.objects.filter(is_active=True):
            if sub.wants(event.kind):
                queued.append(_queue_webhook(sub, event, appeal).pk)
    return queued


def may_manage_exchange(user: User) -> bool:
    return may_dispatch(user) or may_administer(user)


@transaction.atomic
def delivery_resend(*, actor: User, delivery: Delivery) -> Delivery:
    """Put a dead letter back in the queue (attempts start again)."""
    if not may_manage_exchange(actor):
        raise PermissionDenied(_("您没有权限重发外发消息"), code="exchange_not_allowed")
    row = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if row is None:
        raise NotFound()
    if row.state != DeliveryState.DEAD:
        raise ValidationFailed(_("只有发送失败的消息可以重发"), code="delivery_not_dead")
    row.state = DeliveryState.PENDING
    row.attempts = 0
    row.next_attempt_at = clock.now()
    row.last_error = ""
    row.save(update_fields=["state", "attempts", "next_attempt_at", "last_error"])
    send_after_commit([row.pk])
    logger.info("exchange: delivery %s queued again by user %s", row.uid, actor.pk)
    return row


def webhook_subscribe(
    *, actor: User, name: str, url: str, events: list[str] | None = None
) -> tuple[WebhookSubscription, str]:
    """A new subscriber; returns it and its signing secret (kept: the deliveries are signed with it)."""
    if not may_administer(actor):
        raise PermissionDenied(_("只有系统管理员可以管理事件订阅"), code="webhook_not_allowed")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写订阅名称"), code="name_required")
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise ValidationFailed(_("接收地址须为 http(s) 地址"), code="invalid_url")
    events = sorted(set(events or []))
    unknown = [e for e in events if e not in rules.WEBHOOK_EVENTS]
    if unknown:
        raise ValidationFailed(_("订阅了不存在的事件"), code="unknown_event", events=unknown[:10])
    secret = secrets.token_urlsafe(32)
    sub = WebhookSubscription.objects.create(
        name=name[:100], url=url, secret=secret, events=events, created_by=actor, created_at=clock.now()
    )
    return sub, secret


def poll_actor() -> User | None:
    """The account the poller takes orders in as (``SHANZHI["EXCHANGE_POLL_USER"]``, an integration user)."""
    username = str(exchange_setting("EXCHANGE_POLL_USER", ""))
    return User.objects.filter(username=username, is_active=True).first() if username else None


def orders_poll(*, actor: User, now: dt.datetime) -> dict[str, int]:
    """Pull new orders from the city (for a city that does not push); the cursor moves only past what was taken."""
    cursor_row, _created = PollCursor.objects.get_or_create(name="city")
    try:
        orders, cursor = city_adapter().fetch_orders(cursor=cursor_row.cursor)
    except SendError as error:
        logger.warning("exchange: polling the city failed (%s)", error.code)
        return {"taken": 0, "existing": 0, "failed": 1}
    counts = {"taken": 0, "existing": 0, "failed": 0}
    for order in orders:
        try:
            _row, created = order_receive(actor=actor, order=order, via=OrderVia.PULL, at=now)
        except (ValidationFailed, PermissionDenied) as error:
            counts["failed"] += 1
            logger.warning("exchange: city order refused (%s)", error.code)
            continue
        counts["taken" if created else "existing"] += 1
    PollCursor.objects.filter(pk=cursor_row.pk).update(cursor=cursor, polled_at=now)
    return counts
