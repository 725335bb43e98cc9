"""The appeal timeline says what a unit asked for (延期 5 个工作日 / 退回 with its basis / 挂账) and on which request
the centre decided, not a bare “提出申请”."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.appeals.unit_work import assignment_request, assignment_sign, request_decide
from shanzhi.console.display import event_detail, event_title

pytestmark = pytest.mark.django_db


def test_event_title_rules():
    assert event_title("requested", "提出申请", {"kind": "extend", "extra_working_days": 5}) == "申请延期 5 个工作日"
    assert event_title("requested", "提出申请", {"kind": "return", "basis": "职责"}) == "申请退回"
    assert event_title("requested", "提出申请", {"kind": "shelve"}) == "申请挂账"
    assert event_title("request_refused", "申请驳回", {"kind": "extend"}) == "延期申请驳回"
    assert event_title("request_approved", "申请通过", {"kind": "return"}) == "退回申请通过"
    assert event_title("requested", "提出申请", None) == "提出申请"  # an old event without a payload
    assert event_title("signed", "签收", {}) == "签收"
    assert event_detail("requested", {"kind": "return", "basis": "三定方案第5条"}) == "依据：三定方案第5条"
    assert event_detail("requested", {"kind": "extend", "basis": ""}) == ""


def test_the_detail_page_shows_the_kind_and_the_days(desk, intake, login):
    appeal = intake()
    assignment = appeal.assignments.get(role="lead")
    assignment = assignment_sign(actor=desk.urban_handler, assignment=assignment)
    request = assignment_request(
        actor=desk.urban_handler, assignment=assignment, kind="extend", reason="需采购灯具", extra_working_days=5
    )
    request_decide(actor=desk.dispatcher, request=request, approve=False, note="时限内可完成")
    html = login(desk.operator).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "申请延期 5 个工作日" in html
    assert "延期申请驳回" in html
    assert "<strong>提出申请</strong>" not in html
