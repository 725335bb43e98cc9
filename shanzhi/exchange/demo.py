"""Demo data of the exchange: the city platform's integration account and a few transferred orders (idempotent).

Without ``SHANZHI_EXCHANGE_CITY_URL`` their status messages wait in the outbox; ``shanzhi exchange simulate`` plays
the city for a live demonstration."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group

from shanzhi.exchange.models import CityOrder, Delivery, DeliveryState
from shanzhi.exchange.services import order_receive
from shanzhi.orgs.models import Unit, User

ORDERS = [
    ("SH12345-DEMO-0001", "路灯不亮", "凤凰岭街道和平社区门口两盏路灯不亮已经一周，晚上出行不便"),
    ("SH12345-DEMO-0002", "楼道堆物", "新华街道清泉小区3号楼楼道堆满杂物，存在消防隐患"),
    ("SH12345-DEMO-0003", "占道经营", "人民路夜市摊点占用人行道，行人只能走机动车道"),
]


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    centre = Unit.objects.filter(code=settings.SHANZHI["CENTRE_CODE"]).first()
    if centre is None:
        return ["两线联动：未找到中心单位，跳过"]
    user, made = User.objects.get_or_create(
        username="city12345", defaults={"unit": centre, "display_name": "市12345平台（对接）"}
    )
    if made:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name="integration")[0])
        user = User.objects.get(pk=user.pk)
    taken = 0
    for order_id, title, content in ORDERS:
        if CityOrder.objects.filter(order_id=order_id).exists():
            continue
        order_receive(actor=user, order={"order_id": order_id, "title": title, "content": content}, at=now)
        taken += 1
    # One message given up, so the dead-letter desk has something to show.
    first = Delivery.objects.filter(order__order_id=ORDERS[0][0]).order_by("id").first()
    if first is not None and first.state == DeliveryState.PENDING:
        Delivery.objects.filter(pk=first.pk).update(
            state=DeliveryState.DEAD, attempts=8, next_attempt_at=None, last_error="unreachable: URLError"
        )
    return [f"两线联动：市平台转办工单 {taken} 件（共 {CityOrder.objects.count()} 件）"]
