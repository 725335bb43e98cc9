"""The supervised unit's duty phone hears of an order: at the issue, at each urge and when a reply is sent back —
through the outbox, once per step; a unit with only a landline sees the order on its work bench alone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shanzhi.notifications.models import OutboxMessage
from shanzhi.supervision import services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def _alerts() -> list[str]:
    return list(OutboxMessage.objects.filter(event="unit_alert").order_by("id").values_list("body", flat=True))


def test_issue_urge_and_send_back_reach_the_duty_phone(scene) -> None:
    unit = scene.lead.unit
    unit.phone = "13904731234"
    unit.save(update_fields=["phone"])
    no = scene.lead.appeal.tracking_no
    with time_machine.travel(MONDAY_10, tick=False):
        order = services.supervision_issue(actor=scene.leader, assignment=scene.lead, level="yellow", reason="请加快")
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        order = services.supervision_urge(actor=scene.dispatcher, order=order, note="请今天内回复")
        order = services.supervision_urge(actor=scene.dispatcher, order=order, note="再次催办")
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=2), tick=False):
        order = services.supervision_reply(actor=scene.handler, order=order, reply="已安排")
        order = services.supervision_reject(actor=scene.leader, order=order, note="请写明完成时间")
        services.supervision_reply(actor=scene.handler, order=order, reply="周二完成")
    alerts = _alerts()
    assert len(alerts) == 4  # issue, two urges, the send-back; a reply tells the centre, not the unit's phone
    assert alerts[0].startswith("【督办】") and no in alerts[0] and "11-24 10:00" in alerts[0]
    assert alerts[1].startswith("【催办】") and "红牌" in alerts[1]
    assert alerts[3].startswith("【督办】") and "退回" in alerts[3]
    assert set(OutboxMessage.objects.filter(event="unit_alert").values_list("recipient", flat=True)) == {"13904731234"}


def test_a_landline_gets_no_sms_and_the_order_still_stands(scene) -> None:
    unit = scene.lead.unit
    unit.phone = "0473-2012345"
    unit.save(update_fields=["phone"])
    order = services.supervision_issue(actor=scene.leader, assignment=scene.lead, level="red", reason="请加快")
    assert order.pk and _alerts() == []
