"""The exchange part of the REST API ``/api/v1/exchange/`` (added to the NinjaAPI in :mod:`shanzhi.api`).

- ``POST /orders``: the city pushes an order (API key of the city's integration account *and* the body signed with
  the shared secret, ``X-Exchange-Signature: sha256=<hex>``); the same ``order_id`` again answers 200 with the first
  appeal, never a second one.
- ``GET /orders``, ``GET /deliveries``: what came in and what goes out, in the caller's scope.
- ``POST /deliveries/{id}/resend``: a dead letter back in the queue.
- ``GET``/``POST /webhooks``: the subscribers (administrators).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router, Schema, Status
from pydantic import Field, StrictFloat

from shanzhi.appeals.api import ERRORS
from shanzhi.appeals.api_schemas import NO_CONTROL, Out, text
from shanzhi.appeals.models import AppealType
from shanzhi.core.errors import PermissionDenied
from shanzhi.core.ids import MAX_ID
from shanzhi.exchange import rules, selectors, services
from shanzhi.exchange.adapters import city_secret
from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState, WebhookSubscription
from shanzhi.orgs.models import User
from shanzhi.routing.models import Urgency

router = Router(tags=["两线联动"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
WebhookEvent = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z_]+$")]


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class OrderIn(Schema):
    order_id: str = Field(..., min_length=1, max_length=64, pattern=NO_CONTROL, description="市平台工单号（幂等键）")
    content: str = text(20_000, min_length=1, default=..., description="诉求内容")
    title: str = text(120)
    appeal_type: AppealType = AppealType.HELP
    urgency: Urgency | None = None
    category: str = Field("", max_length=20, pattern=NO_CONTROL, description="分类编码（可空，由中心分流）")
    citizen_name: str = text(50)
    citizen_phone: str = text(30)
    address: str = text(200)
    longitude: StrictFloat | None = Field(None, ge=-180, le=180)
    latitude: StrictFloat | None = Field(None, ge=-90, le=90)
    area_code: str = Field("", max_length=32, pattern=NO_CONTROL)
    deadline: dt.datetime | None = Field(None, description="市平台要求的办结时限")


class OrderOut(Out):
    order_id: str
    tracking_no: str
    state: str
    via: str
    received_at: dt.datetime
    status: str = "created"


class DeliveryOut(Out):
    id: int
    uid: str
    target: str
    order_id: str | None
    tracking_no: str
    event: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class WebhookIn(Schema):
    name: str = text(100, min_length=1, default=...)
    url: str = Field(..., min_length=8, max_length=500, pattern=r"^https?://[^\s\u0000-\u001f]+$")
    events: list[WebhookEvent] = Field(default_factory=list, max_length=30)


class WebhookOut(Out):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    secret: str | None = None


class DeliveryFilter(Schema):
    state: DeliveryState | None = None
    target: str | None = Field(None, max_length=8, pattern=r"^(city|webhook)$")


def order_dict(order: CityOrder, *, status: str = "created") -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "tracking_no": order.appeal.tracking_no,
        "state": order.appeal.state,
        "via": order.via,
        "received_at": order.received_at,
        "status": status,
    }


def delivery_dict(row: Delivery) -> dict[str, Any]:
    return {
        "id": row.pk,
        "uid": str(row.uid),
        "target": row.target,
        "order_id": row.order.order_id if row.order_id and row.order else None,
        "tracking_no": row.appeal.tracking_no,
        "event": row.event_kind,
        "state": row.state,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
    }


def webhook_dict(sub: WebhookSubscription, secret: str | None = None) -> dict[str, Any]:
    return {
        "id": sub.pk,
        "name": sub.name,
        "url": sub.url,
        "events": list(sub.events),
        "is_active": sub.is_active,
        "secret": secret,
    }


@router.post(
    "/orders",
    response={201: OrderOut, 200: OrderOut, **ERRORS},
    summary="接收市12345平台转办工单",
    description=(
        "请求体须以共享密钥签名：X-Exchange-Signature: sha256=<HMAC-SHA256(原始请求体)>。"
        "同一 order_id 重发返回首次的诉求。"
    ),
)
def order_push(
    request: HttpRequest,
    payload: OrderIn,
    signature: str = Header("", alias="X-Exchange-Signature", max_length=100, pattern=NO_CONTROL),
) -> Status:
    secret = city_secret()
    if not secret:
        raise PermissionDenied(_("未配置市平台对接密钥"), code="exchange_not_configured")
    if not rules.signature_valid(secret, request.body, signature):
        raise PermissionDenied(_("签名校验失败"), code="invalid_signature")
    order, created = services.order_receive(actor=_actor(request), order=payload.dict())
    return Status(201 if created else 200, order_dict(order, status="created" if created else "existing"))


@router.get("/orders", response={200: list[OrderOut], **ERRORS}, summary="市平台转办工单（本单位可见范围）")
def order_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [order_dict(o) for o in selectors.orders_visible_to(_actor(request))[:200]]


@router.get("/deliveries", response={200: list[DeliveryOut], **ERRORS}, summary="外发消息及发送状态")
def delivery_list(request: HttpRequest, filters: Query[DeliveryFilter]) -> list[dict[str, Any]]:
    rows = selectors.deliveries_visible_to(_actor(request), state=filters.state, target=filters.target)
    return [delivery_dict(r) for r in rows[:200]]


@router.post("/deliveries/{delivery_id}/resend", response={200: DeliveryOut, **ERRORS}, summary="重发失败消息")
def delivery_resend(request: HttpRequest, delivery_id: PathId) -> dict[str, Any]:
    actor = _actor(request)
    row = selectors.delivery_get(actor, delivery_id)
    services.delivery_resend(actor=actor, delivery=row)
    return delivery_dict(selectors.delivery_get(actor, delivery_id))


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="事件订阅")
def webhook_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [webhook_dict(s) for s in selectors.webhooks_for(_actor(request))]


@router.post("/webhooks", response={201: WebhookOut, **ERRORS}, summary="新建事件订阅（返回签名密钥，仅此一次）")
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status:
    sub, secret = services.webhook_subscribe(
        actor=_actor(request), name=payload.name, url=payload.url, events=payload.events
    )
    return Status(201, webhook_dict(sub, secret))
