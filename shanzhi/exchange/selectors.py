"""Reads of the exchange, always in the viewer's scope: orders and deliveries of the appeals the viewer may see;
the dead-letter desk and the subscribers only for those who manage the exchange."""

from __future__ import annotations

from django.db.models import QuerySet

from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core.errors import NotFound
from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState, WebhookSubscription
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_administer


def orders_visible_to(user: User) -> QuerySet[CityOrder]:
    return CityOrder.objects.filter(appeal__in=appeals_visible_to(user)).select_related("appeal")


def deliveries_visible_to(user: User, *, state: str | None = None, target: str | None = None) -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(appeal__in=appeals_visible_to(user)).select_related("appeal", "order")
    if state:
        qs = qs.filter(state=state)
    if target:
        qs = qs.filter(target=target)
    return qs.order_by("-id")


def delivery_get(user: User, delivery_id: int) -> Delivery:
    row = deliveries_visible_to(user).filter(pk=delivery_id).first()
    if row is None:
        raise NotFound()
    return row


def delivery_counts(user: User) -> dict[str, int]:
    qs = deliveries_visible_to(user)
    return {state: qs.filter(state=state).count() for state in DeliveryState.values}


def webhooks_for(user: User) -> list[WebhookSubscription]:
    return list(WebhookSubscription.objects.order_by("name", "id")) if may_administer(user) else []
