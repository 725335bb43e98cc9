"""The lifecycle through the API: the unit signs, contacts and feeds back; the centre replies and follows up.
Forbidden transitions are coded refusals that change nothing."""

from __future__ import annotations

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment

from .conftest import appeal_body


def _lead(appeal_id: int) -> Assignment:
    return Assignment.objects.get(appeal_id=appeal_id, role="lead")


def test_full_cycle_through_the_api(desk):
    created = desk.client("centre").post("/appeals", appeal_body(category="010101")).json()
    lead = _lead(created["id"])
    urban, disp = desk.client("urban"), desk.client("dispatcher")

    signed = urban.post(f"/assignments/{lead.pk}/sign")
    assert signed.status_code == 200, signed.content
    assert signed.json()["state"] == "signed"
    assert urban.post(f"/assignments/{lead.pk}/contact", {"note": "已电话联系"}).json()["contacted_at"]
    fed = urban.post(f"/assignments/{lead.pk}/feedback", {"text": "路灯已修复", "resolved": True})
    assert fed.status_code == 200 and fed.json()["state"] == "done"

    replied = disp.post(f"/appeals/{created['tracking_no']}/reply", {"text": "您反映的路灯已修复。"})
    assert replied.status_code == 200, replied.content
    assert replied.json()["state"] == "replied"
    closed = disp.post(f"/appeals/{created['id']}/follow-up", {"rating": "satisfied", "resolved": True})
    assert closed.json()["state"] == "closed"
    kinds = [e["kind"] for e in disp.get(f"/appeals/{created['id']}/timeline").json()]
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


def test_forbidden_transitions_are_coded_and_change_nothing(desk):
    created = desk.client("centre").post("/appeals", appeal_body(category="010101")).json()
    lead = _lead(created["id"])
    events = AppealEvent.objects.count()

    by_role = desk.client("centre").post(f"/appeals/{created['id']}/dispatch", {"lead_unit": "D-ZJ"})
    assert by_role.status_code == 403
    assert by_role.json()["code"] == "role_not_allowed"

    wrong_state = desk.client("dispatcher").post(f"/appeals/{created['id']}/reply", {"text": "答复"})
    assert wrong_state.status_code == 409
    assert wrong_state.json()["code"] == "transition_not_allowed"
    assert "已派遣" in wrong_state.json()["message"]

    # Another unit's assignment is invisible to it.
    other_unit = desk.client("a").post(f"/assignments/{lead.pk}/sign")
    assert other_unit.status_code in (403, 404)
    assert other_unit.json()["code"] in ("not_found", "role_not_allowed", "not_your_assignment")

    assert Appeal.objects.get(pk=created["id"]).state == "dispatched"
    assert _lead(created["id"]).state == "pending"
    assert AppealEvent.objects.count() == events

    urban = desk.client("urban")
    assert urban.post(f"/assignments/{lead.pk}/sign").status_code == 200
    twice = urban.post(f"/assignments/{lead.pk}/sign")
    assert twice.status_code == 409 and twice.json()["code"] == "transition_not_allowed"


def test_return_request_and_the_centres_decision(desk):
    created = desk.client("centre").post("/appeals", appeal_body(category="010101")).json()
    lead = _lead(created["id"])
    urban, disp = desk.client("urban"), desk.client("dispatcher")
    missing_basis = urban.post(f"/assignments/{lead.pk}/requests", {"kind": "return", "reason": "非本单位职责"})
    assert missing_basis.status_code == 422 and missing_basis.json()["code"] == "basis_required"
    made = urban.post(
        f"/assignments/{lead.pk}/requests",
        {"kind": "return", "reason": "非本单位职责", "basis": "《城市照明管理规定》第五条"},
    )
    assert made.status_code == 201, made.content
    decided = disp.post(f"/requests/{made.json()['id']}/decide", {"approve": True, "note": "同意退回"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert Appeal.objects.get(pk=created["id"]).state == "accepted"
    redispatched = disp.post(f"/appeals/{created['id']}/dispatch", {"lead_unit": "D-ZJ", "reason": "改派住建局"})
    assert redispatched.status_code == 200, redispatched.content
    assert redispatched.json()["lead_unit"]["code"] == "D-ZJ"
    assert redispatched.json()["round"] == 2
    unknown = disp.post(f"/appeals/{created['id']}/dispatch", {"lead_unit": "NOPE"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_unit"


def test_outside_the_scope_no_assignment_or_request_exists(desk, make_user):
    """A handler of another town reaches none of this appeal's assignments or requests: 404, the same answer as
    for ids that do not exist, and nothing changes."""
    from shanzhi.appeals.models import AssignmentRequest
    from shanzhi.orgs.apikeys import apikey_create

    from .conftest import ApiClient

    created = desk.client("centre").post("/appeals", appeal_body(category="010101")).json()
    lead = _lead(created["id"])
    urban = desk.client("urban")
    assert urban.post(f"/assignments/{lead.pk}/sign").status_code == 200
    made = urban.post(
        f"/assignments/{lead.pk}/requests",
        {"kind": "extend", "reason": "需协调供电公司", "extra_working_days": 3},
    )
    assert made.status_code == 201, made.content
    events = AppealEvent.objects.count()

    stranger = ApiClient(apikey_create(user=make_user(desk.district.town_b, "handler", "dispatcher"), name="b")[1])
    attempts = [
        stranger.post(f"/assignments/{lead.pk}/contact", {"note": "已联系"}),
        stranger.post(f"/assignments/{lead.pk}/feedback", {"text": "已处理", "resolved": True}),
        stranger.post(f"/assignments/{lead.pk}/requests", {"kind": "return", "reason": "x", "basis": "y"}),
        stranger.post(f"/requests/{made.json()['id']}/decide", {"approve": True, "note": "同意"}),
    ]
    assert [(r.status_code, r.json()["code"]) for r in attempts] == [(404, "not_found")] * 4
    assert AppealEvent.objects.count() == events
    assert AssignmentRequest.objects.get(pk=made.json()["id"]).state == "pending"
    assert _lead(created["id"]).contacted_at is None
