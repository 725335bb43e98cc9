"""Service tests of the lifecycle against the database: the whole path, every allowed transition of each action,
and every forbidden one refused with a coded error and nothing changed."""

from __future__ import annotations

import pytest

from shanzhi.appeals import rules, services, unit_work
from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Assignment, AssignmentRequest, FollowUp
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db


def lead(appeal: Appeal) -> Assignment:
    return appeal.assignments.get(round=appeal.round, role="lead")


def test_hotline_intake_routes_at_once(desk, intake):
    appeal = intake()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit == desk.district.dept_urban
    units = {a.unit: a.role for a in appeal.assignments.all()}
    assert units == {desk.district.dept_urban: "lead", desk.district.dept_housing: "assisting"}
    assert "派单目录" in appeal.routing_explanation and "城市管理" in appeal.routing_explanation
    assert [e.kind for e in appeal.events.order_by("id")] == ["received", "accepted", "dispatched"]
    assert lead(appeal).due_at > lead(appeal).dispatched_at


def test_territorial_default_goes_to_the_town_of_the_place(desk, intake):
    appeal = intake(category=desk.property_service, area=desk.district.grid_b)
    assert appeal.lead_unit == desk.district.town_b
    assert "属地" in appeal.routing_explanation


def test_the_whole_path_to_closed(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    appeal.refresh_from_db()
    assert appeal.state == AppealState.IN_PROGRESS
    unit_work.assignment_record_contact(actor=desk.urban_handler, assignment=lead(appeal), note="已电话联系")
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead(appeal), text="已更换灯泡", resolved=True)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FEEDBACK
    services.appeal_reply(actor=desk.operator, appeal=appeal, text="您反映的路灯已修复。")
    services.appeal_follow_up(actor=desk.operator, appeal=appeal, rating="satisfied", resolved=True)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED and appeal.rating == "satisfied" and appeal.closed_at
    kinds = list(appeal.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "received",
        "accepted",
        "dispatched",
        "signed",
        "contacted",
        "feedback",
        "assignment_ended",  # the assisting 住建局 never fed back: its share ends with the lead's feedback
        "review_passed",
        "replied",
        "followed_up",
        "closed",
    ]
    transitions = [(e.from_state, e.to_state) for e in appeal.events.order_by("id") if e.to_state]
    assert transitions[-1] == ("replied", "closed")
    assert all(e.actor_id for e in appeal.events.all())


def test_dissatisfied_follow_up_opens_a_redo_round(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead(appeal), text="已处理", resolved=True)
    services.appeal_reply(actor=desk.operator, appeal=appeal, text="已处理")
    services.appeal_follow_up(
        actor=desk.operator, appeal=appeal, rating="dissatisfied", resolved=False, note="灯还是不亮"
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2
    assert lead(appeal).unit == desk.district.dept_urban and lead(appeal).state == "pending"
    assert appeal.events.filter(kind="redo").count() == 1
    assert FollowUp.objects.filter(appeal=appeal, rating="dissatisfied").exists()


def test_follow_up_not_reached_waits(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead(appeal), text="已处理", resolved=True)
    services.appeal_reply(actor=desk.operator, appeal=appeal, text="已处理")
    services.appeal_follow_up(actor=desk.operator, appeal=appeal, reached=False, note="无人接听")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.REPLIED
    services.appeal_close(actor=desk.operator, appeal=appeal, note="三次未接通，按规定办结")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED


def test_failed_review_redo(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead(appeal), text="已处理", resolved=True)
    services.appeal_redo(actor=desk.dispatcher, appeal=appeal, reason="反馈内容与诉求不符")
    appeal.refresh_from_db()
    assert appeal.round == 2 and appeal.state == AppealState.DISPATCHED


def test_return_approved_goes_back_to_dispatch(desk, intake):
    appeal = intake()
    req = unit_work.assignment_request(
        actor=desk.urban_handler,
        assignment=lead(appeal),
        kind="return",
        reason="不属于本单位职责",
        basis="《城市照明管理规定》第X条，该路段属开发区管理",
    )
    unit_work.request_decide(actor=desk.dispatcher, request=req, approve=True, note="同意退回")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED and appeal.lead_unit is None
    assert set(appeal.assignments.values_list("state", flat=True)) == {"returned", "cancelled"}
    services.appeal_dispatch(actor=desk.dispatcher, appeal=appeal, lead_unit=desk.district.town_a, reason="属地处理")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2 and appeal.lead_unit == desk.district.town_a


def test_return_needs_a_basis(desk, intake):
    appeal = intake()
    with pytest.raises(ValidationFailed) as err:
        unit_work.assignment_request(
            actor=desk.urban_handler, assignment=lead(appeal), kind="return", reason="非我单位"
        )
    assert err.value.code == "basis_required"
    assert not AssignmentRequest.objects.exists()


def test_extension_approved_moves_deadline_and_refusal_does_not(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    before = lead(appeal).due_at
    req = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead(appeal), kind="extend", reason="需采购配件", extra_working_days=3
    )
    unit_work.request_decide(actor=desk.dispatcher, request=req, approve=False, note="时间充足")
    assert lead(appeal).due_at == before
    req = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead(appeal), kind="extend", reason="需采购配件", extra_working_days=3
    )
    unit_work.request_decide(actor=desk.dispatcher, request=req, approve=True)
    appeal.refresh_from_db()
    assert lead(appeal).due_at > before and appeal.due_at == lead(appeal).due_at
    assert appeal.events.filter(kind="extended").count() == 1


def test_one_pending_request_at_a_time(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    unit_work.assignment_request(actor=desk.urban_handler, assignment=lead(appeal), kind="shelve", reason="待拆迁")
    with pytest.raises(TransitionNotAllowed) as err:
        unit_work.assignment_request(
            actor=desk.urban_handler, assignment=lead(appeal), kind="extend", reason="x", extra_working_days=2
        )
    assert err.value.code == "request_pending"


def test_shelve_and_unshelve_give_back_the_time(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    req = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead(appeal), kind="shelve", reason="涉及整体改造，待年度计划"
    )
    unit_work.request_decide(actor=desk.dispatcher, request=req, approve=True)
    assert lead(appeal).state == "shelved" and lead(appeal).paused_at is not None
    before = lead(appeal).due_at
    unit_work.assignment_unshelve(actor=desk.dispatcher, assignment=lead(appeal), note="改造计划已批")
    assert lead(appeal).state == "signed" and lead(appeal).due_at >= before


def test_needs_info_pauses_and_resumes(desk, intake):
    appeal = intake(structured=False, category=None)
    assert appeal.state == AppealState.RECEIVED
    services.appeal_request_info(actor=desk.operator, appeal=appeal, question="请提供具体楼号")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.NEEDS_INFO and appeal.paused_at
    services.appeal_supply_info(actor=desk.operator, appeal=appeal, text="3号楼东侧")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.RECEIVED and appeal.paused_at is None and "3号楼东侧" in appeal.content
    services.appeal_accept(actor=desk.operator, appeal=appeal, category=desk.road_light)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED


def test_consultation_answered_on_the_spot(desk, intake):
    appeal = intake(appeal_type="consultation", category=desk.consult, auto_dispatch=False)
    services.appeal_answer(
        actor=desk.operator, appeal=appeal, answer="可携带身份证到政务服务中心办理。", article_ref="KB-12"
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ANSWERED and appeal.closed_at


def test_answer_refused_for_a_complaint(desk, intake):
    appeal = intake(appeal_type="complaint", auto_dispatch=False)
    with pytest.raises(ValidationFailed) as err:
        services.appeal_answer(actor=desk.operator, appeal=appeal, answer="x")
    assert err.value.code == "answer_only_consultation"


def test_merge_withdraws_duplicate_assignments(desk, intake):
    master = intake()
    dup = intake(content="路灯不亮，同一个地方")
    services.appeal_merge(actor=desk.dispatcher, appeal=dup, master=master, reason="同一路灯")
    dup.refresh_from_db()
    assert dup.state == AppealState.MERGED and dup.master == master
    assert set(dup.assignments.values_list("state", flat=True)) == {"cancelled"}
    with pytest.raises(ValidationFailed):
        services.appeal_merge(actor=desk.dispatcher, appeal=master, master=dup)


def test_reject_with_configured_reason(desk, intake):
    appeal = intake(structured=False, category=None)
    with pytest.raises(ValidationFailed):
        services.appeal_reject(actor=desk.operator, appeal=appeal, reason_code="nonsense")
    services.appeal_reject(actor=desk.operator, appeal=appeal, reason_code="out_of_scope", note="涉及民事纠纷")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.REJECTED


def test_handler_of_another_unit_cannot_sign(desk, intake):
    appeal = intake()
    with pytest.raises(PermissionDenied) as err:
        unit_work.assignment_sign(actor=desk.town_b_handler, assignment=lead(appeal))
    assert err.value.code == "not_your_assignment"
    assert lead(appeal).state == "pending"


def test_handler_may_not_dispatch_or_reply(desk, intake):
    appeal = intake(auto_dispatch=False)
    with pytest.raises(PermissionDenied) as err:
        services.appeal_dispatch(actor=desk.urban_handler, appeal=appeal)
    assert err.value.code == "role_not_allowed"
    assert str(err.value.message).startswith("您的角色")


def test_events_are_immutable(desk, intake):
    event = intake().events.first()
    event.reason = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


# --- every forbidden transition ------------------------------------------------------------------------------

ACTION_CALLS = {
    "accept": lambda d, a, s: services.appeal_accept(actor=d.operator, appeal=a, category=d.road_light),
    "reject": lambda d, a, s: services.appeal_reject(actor=d.operator, appeal=a, reason_code="out_of_scope"),
    "answer": lambda d, a, s: services.appeal_answer(actor=d.operator, appeal=a, answer="答复"),
    "request_info": lambda d, a, s: services.appeal_request_info(actor=d.operator, appeal=a, question="?"),
    "supply_info": lambda d, a, s: services.appeal_supply_info(actor=d.operator, appeal=a, text="补充"),
    "dispatch": lambda d, a, s: services.appeal_dispatch(actor=d.dispatcher, appeal=a),
    "merge": lambda d, a, s: services.appeal_merge(actor=d.dispatcher, appeal=a, master=s),
    "sign": lambda d, a, s: unit_work.assignment_sign(actor=d.urban_handler, assignment=lead(a)),
    "contact": lambda d, a, s: unit_work.assignment_record_contact(actor=d.urban_handler, assignment=lead(a), note=""),
    "feedback": lambda d, a, s: unit_work.assignment_feedback(
        actor=d.urban_handler, assignment=lead(a), text="好", resolved=True
    ),
    "request": lambda d, a, s: unit_work.assignment_request(
        actor=d.urban_handler, assignment=lead(a), kind="shelve", reason="原因"
    ),
    "reply": lambda d, a, s: services.appeal_reply(actor=d.operator, appeal=a, text="答复"),
    "redo": lambda d, a, s: services.appeal_redo(actor=d.dispatcher, appeal=a, reason="重办"),
    "follow_up": lambda d, a, s: services.appeal_follow_up(
        actor=d.operator, appeal=a, rating="satisfied", resolved=True
    ),
    "close": lambda d, a, s: services.appeal_close(actor=d.operator, appeal=a, note="办结"),
    "reopen": lambda d, a, s: services.appeal_reopen(actor=d.dispatcher, appeal=a, reason="问题复发"),
}


def _appeal_in_state(desk, intake, state: str) -> Appeal:
    """An appeal forced into ``state`` with a signed lead assignment (so only the state guard can refuse)."""
    appeal = intake(appeal_type="consultation")
    assignment = lead(appeal)
    Assignment.objects.filter(pk=assignment.pk).update(state="signed", signed_at=clock.now())
    master = intake() if state == "merged" else None
    Appeal.objects.filter(pk=appeal.pk).update(state=state, master=master)
    appeal.refresh_from_db()
    return appeal


FORBIDDEN = [
    (action, state)
    for action in ACTION_CALLS
    for state in AppealState.values
    if not rules.action_allowed_from(action, state)
]


@pytest.mark.parametrize(("action", "state"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_and_changes_nothing(desk, intake, action, state):
    appeal = _appeal_in_state(desk, intake, state)
    other = intake()
    events_before = AppealEvent.objects.count()
    assignments_before = list(Assignment.objects.order_by("id").values_list("id", "state", "due_at"))
    with pytest.raises(TransitionNotAllowed) as err:
        ACTION_CALLS[action](desk, appeal, other)
    assert err.value.code == "transition_not_allowed"
    assert "不能执行" in str(err.value.message)
    appeal.refresh_from_db()
    assert appeal.state == state
    assert AppealEvent.objects.count() == events_before
    assert list(Assignment.objects.order_by("id").values_list("id", "state", "due_at")) == assignments_before


ALLOWED = [
    (action, state)
    for action in ACTION_CALLS
    for state in AppealState.values
    if rules.action_allowed_from(action, state)
]


@pytest.mark.parametrize(("action", "state"), ALLOWED)
def test_every_allowed_transition_passes_the_guard(desk, intake, action, state):
    """From each allowed state the action gets past the state guard (it may still ask for more, never refuse the
    state) and, when it succeeds, writes at least one event."""
    appeal = _appeal_in_state(desk, intake, state)
    if action == "sign":
        Assignment.objects.filter(pk=lead(appeal).pk).update(state="pending")
    if action == "supply_info":
        Appeal.objects.filter(pk=appeal.pk).update(paused_at=clock.now())
    other = intake()
    events_before = AppealEvent.objects.count()
    try:
        ACTION_CALLS[action](desk, appeal, other)
    except TransitionNotAllowed as exc:
        assert exc.code != "transition_not_allowed", f"{action} refused from {state}"
        return
    except ValidationFailed:
        return  # past the state guard; the action wants more than this generic appeal offers
    assert AppealEvent.objects.count() > events_before


def test_citizen_rating_closes_or_reopens(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead(appeal))
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead(appeal), text="已处理", resolved=True)
    services.appeal_reply(actor=desk.operator, appeal=appeal, text="已处理")
    outcome = services.appeal_rate_by_citizen(appeal=appeal, rating="dissatisfied", resolved=False, comment="没修好")
    appeal.refresh_from_db()
    assert outcome == "redo" and appeal.round == 2 and appeal.state == AppealState.DISPATCHED
    follow_up = FollowUp.objects.get(appeal=appeal)
    assert follow_up.by is None and follow_up.channel == "portal"


def test_closed_appeal_reopened_by_the_citizen(desk, intake):
    appeal = intake()
    Appeal.objects.filter(pk=appeal.pk).update(state="closed", closed_at=clock.now())
    services.appeal_reopen(actor=None, appeal=appeal, reason="路灯又坏了")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.closed_at is None and appeal.round == 2
    assert appeal.events.filter(kind="redo").count() == 1
