"""The supervision cycle through its services: issue, reply (on time and late), urge, send back, close; every step an
internal ``supervised`` event; refusals coded and nothing half-written."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shanzhi.appeals.models import AppealEvent
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.supervision import services
from shanzhi.supervision.models import SupervisionOrder, SupervisionUrge

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def _steps(order: SupervisionOrder) -> list[str | None]:
    events = AppealEvent.objects.filter(kind="supervised", payload__order_id=order.pk).order_by("id")
    return [e.payload.get("action") for e in events]


def _issue(scene, **kw):  # type: ignore[no-untyped-def]
    args = {"actor": scene.leader, "assignment": scene.lead, "level": "yellow", "reason": "群众多次来电，请加快"}
    return services.supervision_issue(**{**args, **kw})


def test_the_whole_cycle_writes_one_event_per_step(scene) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        order = _issue(scene)
    assert order.reply_due_at is not None and order.reply_due_at.astimezone(SH).date() == dt.date(2026, 11, 24)
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        order = services.supervision_urge(actor=scene.dispatcher, order=order, note="请今天内回复")
    assert (order.level, order.urge_count, order.state) == ("red", 1, "open")
    [urge] = SupervisionUrge.objects.filter(order=order)
    assert (urge.level_from, urge.level_to, urge.by_id) == ("yellow", "red", scene.dispatcher.pk)
    assert order.reply_due_at == urge.reply_due_to and urge.reply_due_to < urge.reply_due_from
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=2), tick=False):
        order = services.supervision_reply(actor=scene.handler, order=order, reply="已安排维修班组")
    assert (order.state, order.replied_late, order.replied_by_id) == ("replied", False, scene.handler.pk)
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=3), tick=False):
        order = services.supervision_reject(actor=scene.leader, order=order, note="请写明维修完成时间")
    assert (order.state, order.reply, order.replied_at, order.returned_note) == ("open", "", None, "请写明维修完成时间")
    assert order.reply_due_at > MONDAY_10 + dt.timedelta(hours=3)
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=4), tick=False):
        order = services.supervision_reply(actor=scene.handler, order=order, reply="周二下午完成更换")
        order = services.supervision_close(actor=scene.leader, order=order, note="回复满意")
    assert (order.state, order.closed_by_id, order.close_note) == ("closed", scene.leader.pk, "回复满意")
    assert _steps(order) == [None, "urged", "replied", "rejected", "replied", "closed"]
    events = AppealEvent.objects.filter(kind="supervised", payload__order_id=order.pk)
    assert all(not e.is_public and e.assignment_id == scene.lead.pk for e in events)
    rejected = events.get(payload__action="rejected")
    assert rejected.payload["rejected_reply"] == "已安排维修班组"
    assert rejected.reason == "退回重新回复：请写明维修完成时间"
    reasons = [e.reason for e in events.order_by("id")]
    assert reasons[0] == "人工督办（黄牌督办）：群众多次来电，请加快"
    assert reasons[1] == "催办（黄牌督办→红牌督办）：请今天内回复"
    assert reasons[2] == "督办回复：已安排维修班组" and reasons[-1] == "督办单办结：回复满意"


def test_a_reply_after_the_deadline_is_recorded_as_late(scene) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        order = _issue(scene)
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=3), tick=False):
        order = services.supervision_reply(actor=scene.handler, order=order, reply="已处理")
    assert order.replied_late and order.replied_at > order.reply_due_at
    event = AppealEvent.objects.get(kind="supervised", payload__action="replied")
    assert event.payload["late"] is True and event.reason == "督办回复（逾期）：已处理"


def test_an_urge_after_a_missed_deadline_keeps_it_missed(scene) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        order = _issue(scene, level="red")
    due = order.reply_due_at
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=3), tick=False):
        order = services.supervision_urge(actor=scene.leader, order=order, note="已超时，请立即回复")
    assert (order.level, order.reply_due_at, order.urge_count) == ("red", due, 1)


def test_only_the_supervised_unit_replies(scene) -> None:
    order = _issue(scene)
    assisting_handler = scene.desk.housing_handler  # 住建局: on the appeal, but the order is 城管局's
    for actor in (scene.outsider, assisting_handler, scene.leader):
        with pytest.raises(PermissionDenied):
            services.supervision_reply(actor=actor, order=order, reply="已处理")
    assert _steps(order) == [None]
    assert services.supervision_reply(actor=scene.handler, order=order, reply="已处理").state == "replied"


def test_only_the_centre_issues_urges_sends_back_and_closes(scene) -> None:
    with pytest.raises(PermissionDenied):
        _issue(scene, actor=scene.handler)
    order = _issue(scene)
    for step, kw in ((services.supervision_urge, {"note": "快"}), (services.supervision_close, {})):
        with pytest.raises(PermissionDenied):
            step(actor=scene.handler, order=order, **kw)
    order = services.supervision_reply(actor=scene.handler, order=order, reply="已处理")
    with pytest.raises(PermissionDenied):
        services.supervision_reject(actor=scene.handler, order=order, note="不行")
    assert _steps(order) == [None, "replied"]


def test_a_town_dispatcher_cannot_supervise_an_appeal_outside_the_town(scene, make_user) -> None:
    town_b_dispatcher = make_user(scene.desk.district.town_b, "dispatcher", username="disp-b")
    with pytest.raises(NotFound):
        _issue(scene, actor=town_b_dispatcher)
    order = _issue(scene)
    with pytest.raises(NotFound):
        services.supervision_urge(actor=town_b_dispatcher, order=order, note="快")
    assert SupervisionOrder.objects.count() == 1 and _steps(order) == [None]


def test_refusals_are_coded_and_change_nothing(scene) -> None:
    with pytest.raises(ValidationFailed) as bad_level:
        _issue(scene, level="purple")
    assert bad_level.value.code == "invalid_level"
    with pytest.raises(ValidationFailed):
        _issue(scene, reason="   ")
    assert not SupervisionOrder.objects.exists()
    order = _issue(scene)
    with pytest.raises(ValidationFailed):
        services.supervision_reply(actor=scene.handler, order=order, reply=" ")
    with pytest.raises(ValidationFailed):
        services.supervision_urge(actor=scene.leader, order=order, note="")
    with pytest.raises(TransitionNotAllowed):
        services.supervision_reject(actor=scene.leader, order=order, note="没有回复可退回")
    order = services.supervision_close(actor=scene.leader, order=order)
    for step, actor, kw in (
        (services.supervision_reply, scene.handler, {"reply": "晚了"}),
        (services.supervision_urge, scene.leader, {"note": "再催"}),
        (services.supervision_close, scene.leader, {}),
    ):
        with pytest.raises(TransitionNotAllowed):
            step(actor=actor, order=order, **kw)
    order.refresh_from_db()
    assert (order.state, order.reply, order.urge_count) == ("closed", "", 0)
    assert _steps(order) == [None, "closed"]
    assert not SupervisionUrge.objects.exists()


def test_an_order_on_a_finished_assignment_cannot_be_issued(scene) -> None:
    scene.lead.state = "done"
    scene.lead.save(update_fields=["state"])
    with pytest.raises(TransitionNotAllowed):
        _issue(scene)
    assert not SupervisionOrder.objects.exists()
