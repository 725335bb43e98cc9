"""Actions on the appeal detail: each form calls its use case; a refusal is a message and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, AssignmentRequest, FollowUp
from shanzhi.appeals.services import appeal_reply
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign

pytestmark = pytest.mark.django_db


def act(client, appeal: Appeal, code: str, data: dict | None = None, follow: bool = True):
    return client.post(reverse("console:action", args=[appeal.pk, code]), data or {}, follow=follow)


def detail(client, appeal: Appeal) -> str:
    response = client.get(reverse("console:appeal", args=[appeal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_whole_path_through_the_console(desk, intake, login):
    appeal = intake(structured=False, category=None, content="来电：和平路路灯不亮")
    operator, dispatcher = login(desk.operator), login(desk.dispatcher)
    handler = login(desk.urban_handler)

    assert 'data-action="accept"' in detail(operator, appeal)
    act(operator, appeal, "accept", {"category": desk.road_light.pk})  # no dispatch: the dispatcher does it
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED

    page = detail(dispatcher, appeal)
    assert "派单目录建议" in page and "区城市管理综合执法局" in page
    response = act(dispatcher, appeal, "dispatch", {"lead_unit": "", "reason": "按目录"})
    assert "已派遣至 区城市管理综合执法局" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED

    assert 'data-action-submit="sign"' in detail(handler, appeal)
    act(handler, appeal, "sign")
    act(handler, appeal, "contact", {"note": "已电话联系诉求人"})
    act(handler, appeal, "feedback", {"text": "已更换灯泡，恢复照明", "resolved": "yes"})
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FEEDBACK

    page = detail(operator, appeal)
    assert "已更换灯泡，恢复照明" in page  # the reply box is prefilled with the lead's feedback
    assert "reply-templates" in page
    act(operator, appeal, "reply", {"text": "您反映的路灯已修复。"})
    act(operator, appeal, "follow_up", {"reached": "yes", "rating": "satisfied", "resolved": "yes", "note": "满意"})
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED
    assert appeal.rating == "satisfied"
    kinds = list(appeal.events.values_list("kind", flat=True))
    for kind in (
        "received",
        "accepted",
        "dispatched",
        "signed",
        "contacted",
        "feedback",
        "replied",
        "followed_up",
        "closed",
    ):
        assert kind in kinds
    timeline = detail(operator, appeal)
    for label in ("登记", "受理", "派遣", "签收", "处置反馈", "统一答复", "回访", "办结"):
        assert f"<strong>{label}</strong>" in timeline
    assert "距上一步" in timeline


def test_forbidden_action_is_a_message_and_nothing_changes(desk, intake, login):
    appeal = intake()
    before = (appeal.state, appeal.version, AppealEvent.objects.filter(appeal=appeal).count())
    # a handler may not reply for the centre
    response = act(login(desk.urban_handler), appeal, "reply", {"text": "自行答复"}, follow=False)
    assert response.status_code == 422
    html = response.content.decode()
    assert "您的角色不能执行" in html
    assert "Traceback" not in html
    # an operator may not dispatch
    response = act(login(desk.operator), appeal, "dispatch", {"lead_unit": str(desk.district.dept_housing.pk)})
    assert "您的角色不能执行“派遣”" in response.content.decode()
    appeal.refresh_from_db()
    assert (appeal.state, appeal.version, AppealEvent.objects.filter(appeal=appeal).count()) == before


def test_action_in_the_wrong_state_is_refused_with_the_reason(desk, intake, login):
    appeal = intake()
    response = act(login(desk.operator), appeal, "close", {"note": "直接办结"}, follow=False)
    assert response.status_code == 422
    assert "不能执行“办结”" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED


def test_sign_by_a_unit_without_an_assignment_is_refused(desk, intake, login, district, make_user):
    appeal = intake(category=desk.property_service)  # → 凤凰岭街道
    community_handler = make_user(district.community_a, "handler", username="sq")
    response = act(login(community_handler), appeal, "sign", follow=False)
    assert response.status_code == 422
    assert "没有派给您单位" in response.content.decode()
    assert not appeal.assignments.filter(state="signed").exists()


def test_invalid_input_keeps_what_was_typed(desk, intake, login):
    appeal = intake()
    handler = login(desk.urban_handler)
    act(handler, appeal, "sign")
    response = act(
        handler, appeal, "request", {"kind": "return", "reason": "不属于本局职责", "basis": ""}, follow=False
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "退回须写明职责或权限依据" in html
    assert "不属于本局职责" in html  # the text is still in the form
    assert not AssignmentRequest.objects.exists()


def test_request_and_decision(desk, intake, login):
    appeal = intake()
    handler, dispatcher = login(desk.urban_handler), login(desk.dispatcher)
    act(handler, appeal, "sign")
    act(handler, appeal, "request", {"kind": "extend", "reason": "需采购配件", "extra_working_days": "3"})
    request = AssignmentRequest.objects.get()
    page = detail(dispatcher, appeal)
    assert "需采购配件" in page and 'data-action="decide_request"' in page
    old_due = appeal.assignments.get(role="lead").due_at
    response = act(
        dispatcher, appeal, "decide_request", {"request_id": request.pk, "decision": "approve", "note": "同意"}
    )
    assert "已同意申请" in response.content.decode()
    assert appeal.assignments.get(role="lead").due_at > old_due


def test_shelve_then_unshelve(desk, intake, login):
    appeal = intake()
    handler, dispatcher = login(desk.urban_handler), login(desk.dispatcher)
    act(handler, appeal, "sign")
    act(handler, appeal, "request", {"kind": "shelve", "reason": "需列入明年改造计划"})
    request = AssignmentRequest.objects.get()
    act(dispatcher, appeal, "decide_request", {"request_id": request.pk, "decision": "approve"})
    lead = appeal.assignments.get(role="lead")
    assert lead.state == "shelved"
    assert 'data-action="unshelve"' in detail(dispatcher, appeal)
    act(dispatcher, appeal, "unshelve", {"assignment_id": lead.pk, "note": "资金到位"})
    lead.refresh_from_db()
    assert lead.state == "signed"


def test_reject_merge_and_request_info(desk, intake, login):
    operator = login(desk.operator)
    raw = intake(structured=False, category=None)
    act(operator, raw, "reject", {"reason_code": "out_of_scope", "note": "属司法程序"})
    raw.refresh_from_db()
    assert raw.state == AppealState.REJECTED

    master, duplicate = intake(), intake(content="同一处路灯不亮")
    act(login(desk.dispatcher), duplicate, "merge", {"master": master.tracking_no, "reason": "重复来电"})
    duplicate.refresh_from_db()
    assert duplicate.state == AppealState.MERGED and duplicate.master_id == master.pk

    ask = intake(structured=False, category=None)
    act(operator, ask, "request_info", {"question": "请提供具体楼号"})
    ask.refresh_from_db()
    assert ask.state == AppealState.NEEDS_INFO
    act(operator, ask, "supply_info", {"text": "3号楼"})
    ask.refresh_from_db()
    assert ask.state == AppealState.RECEIVED and "3号楼" in ask.content


def test_dissatisfied_follow_up_sends_it_back_and_redo_works(desk, intake, login):
    appeal = intake()
    lead = appeal.assignments.get(role="lead")
    assignment_sign(actor=desk.urban_handler, assignment=lead)
    assignment_feedback(actor=desk.urban_handler, assignment=lead, text="已处理", resolved=True)
    appeal_reply(actor=desk.operator, appeal=appeal, text="已处理")
    operator = login(desk.operator)
    response = act(operator, appeal, "follow_up", {"reached": "yes", "rating": "dissatisfied", "resolved": "no"})
    assert "转重办" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2
    assert FollowUp.objects.filter(appeal=appeal, rating="dissatisfied").exists()


def test_reply_template_bodies_are_filled_for_the_appeal(desk, intake, login):
    appeal = intake()
    lead = appeal.assignments.get(role="lead")
    assignment_sign(actor=desk.urban_handler, assignment=lead)
    assignment_feedback(actor=desk.urban_handler, assignment=lead, text="灯已修好", resolved=True)
    html = detail(login(desk.operator), appeal)
    script = html.split('<script id="reply-templates" type="application/json">', 1)[1].split("</script>", 1)[0]
    bodies = [t["body"] for t in json.loads(script)]
    assert bodies == [f"您反映的问题（{appeal.tracking_no}）已由区城市管理综合执法局处理：灯已修好"]
    assert 'data-reply-target="id_reply_text"' in html and 'id="id_reply_text"' in html
