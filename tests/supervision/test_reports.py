"""The weekly supervision report reads what the cycle writes: 已回复, 待回复 and 回复超时 come out right."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shanzhi.reports import rules as report_rules
from shanzhi.reports.weekly import weekly_data
from shanzhi.supervision import services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def _row(data: dict, unit_id: int) -> dict:
    [row] = [r for r in data["units"] if r["unit_id"] == unit_id]
    return row


def test_replies_on_time_late_and_missing_are_counted(scene) -> None:
    def issue(reason: str):  # type: ignore[no-untyped-def]
        return services.supervision_issue(actor=scene.leader, assignment=scene.lead, level="yellow", reason=reason)

    with time_machine.travel(MONDAY_10, tick=False):
        on_time, late, _missing, sent_back, closed = (issue(f"督办{i}") for i in range(5))
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=2), tick=False):
        services.supervision_reply(actor=scene.handler, order=on_time, reply="已处理")
        sent_back = services.supervision_reply(actor=scene.handler, order=sent_back, reply="在处理")
        closed = services.supervision_reply(actor=scene.handler, order=closed, reply="已修好")
        services.supervision_close(actor=scene.leader, order=closed)
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=3), tick=False):
        services.supervision_reject(actor=scene.leader, order=sent_back, note="请写明时间")
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=3), tick=False):
        services.supervision_reply(actor=scene.handler, order=late, reply="迟到的回复")

    now = MONDAY_10 + dt.timedelta(days=3, hours=1)  # Thursday: the first deadlines (Tuesday 10:00) have passed
    week = report_rules.week_period(MONDAY_10.date())
    row = _row(weekly_data(week=week, now=now), scene.lead.unit_id)
    # on_time, late and closed were answered; missing and sent_back (deadline Tuesday 13:00 after the send-back) are
    # open past their deadlines; late answered after it.
    assert (row["orders"], row["orders_replied"], row["orders_open"], row["orders_reply_late"]) == (5, 3, 2, 3)
    order_rows = {o["reason"]: o for o in weekly_data(week=week, now=now)["orders"]}
    assert order_rows["督办0"]["reply"] == "已处理" and order_rows["督办0"]["state"] == "已回复"
    assert order_rows["督办4"]["state"] == "已办结"


def test_a_unit_that_answers_every_order_in_time_has_no_late_reply(scene) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        orders = [
            services.supervision_issue(actor=scene.leader, assignment=scene.lead, level="red", reason=f"督办{i}")
            for i in range(3)
        ]
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        for order in orders:
            services.supervision_reply(actor=scene.handler, order=order, reply="已处理")
    week = report_rules.week_period(MONDAY_10.date())
    row = _row(weekly_data(week=week, now=MONDAY_10 + dt.timedelta(days=4)), scene.lead.unit_id)
    assert (row["orders"], row["orders_replied"], row["orders_open"], row["orders_reply_late"]) == (3, 3, 0, 0)
