"""``/api/v1/supervision/orders``: the cycle through the API, coded errors, and scope — a unit sees only its own
orders, someone outside gets an empty list and 404s (with positive controls for the people inside)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shanzhi.appeals.models import AppealEvent
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.orgs.models import User
from shanzhi.supervision import services
from shanzhi.supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys():
    apikey_cache_clear()
    yield
    apikey_cache_clear()


class Api:
    def __init__(self, user: User) -> None:
        self.client = Client(headers={"X-Api-Key": apikey_create(user=user, name=f"测试 {user.username}")[1]})

    def get(self, path: str, **params: Any):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1/supervision{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(f"/api/v1/supervision{path}", json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def order(scene) -> SupervisionOrder:
    return services.supervision_issue(actor=scene.leader, assignment=scene.lead, level="yellow", reason="请加快处理")


def test_the_centre_issues_by_tracking_number_and_the_lead_is_the_default(scene) -> None:
    response = Api(scene.dispatcher).post(
        "/orders", {"appeal": scene.appeal.tracking_no, "level": "red", "reason": "红牌预警，请于明日前回复"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["tracking_no"], body["unit"]["id"], body["level"], body["state"]) == (
        scene.appeal.tracking_no,
        scene.lead.unit_id,
        "red",
        "open",
    )
    assert body["issued_by"] and body["reply_due_at"] and body["reply_overdue"] is False
    assisting = Api(scene.leader).post(
        "/orders", {"appeal": str(scene.appeal.pk), "assignment_id": scene.assisting.pk, "reason": "协办请配合"}
    )
    assert assisting.status_code == 201 and assisting.json()["unit"]["id"] == scene.assisting.unit_id


def test_the_cycle_through_the_api(scene, order) -> None:
    handler, centre = Api(scene.handler), Api(scene.leader)
    mine = handler.get("/orders", mine="true")
    assert [o["id"] for o in mine.json()["items"]] == [order.pk] and mine.json()["counts"]["open"] == 1
    urged = centre.post(f"/orders/{order.pk}/urge", {"note": "请尽快回复"})
    assert urged.status_code == 200 and (urged.json()["level"], urged.json()["urge_count"]) == ("red", 1)
    assert urged.json()["urges"][0]["note"] == "请尽快回复"
    replied = handler.post(f"/orders/{order.pk}/reply", {"reply": "已更换灯泡"})
    assert replied.status_code == 200 and replied.json()["state"] == "replied"
    assert replied.json()["replied_late"] is False
    rejected = centre.post(f"/orders/{order.pk}/reject", {"note": "请附维修照片"})
    assert (rejected.json()["state"], rejected.json()["returned_note"]) == ("open", "请附维修照片")
    handler.post(f"/orders/{order.pk}/reply", {"reply": "照片已上传"})
    closed = centre.post(f"/orders/{order.pk}/close", {"note": "满意"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    actions = list(
        AppealEvent.objects.filter(kind="supervised", payload__order_id=order.pk)
        .order_by("id")
        .values_list("payload__action", flat=True)
    )
    assert actions == [None, "urged", "replied", "rejected", "replied", "closed"]


def test_coded_errors(scene, order) -> None:
    centre, handler = Api(scene.leader), Api(scene.handler)
    bad_level = centre.post("/orders", {"appeal": scene.appeal.tracking_no, "level": "purple", "reason": "x"})
    assert (bad_level.status_code, bad_level.json()["code"]) == (422, "invalid_level")
    wrong_assignment = centre.post(
        "/orders", {"appeal": scene.appeal.tracking_no, "assignment_id": 999_999, "reason": "x"}
    )
    assert (wrong_assignment.status_code, wrong_assignment.json()["code"]) == (422, "unknown_assignment")
    empty = handler.post(f"/orders/{order.pk}/reply", {"reply": "  "})
    assert (empty.status_code, empty.json()["code"]) == (422, "invalid")
    not_replied = centre.post(f"/orders/{order.pk}/reject", {"note": "不满意"})
    assert (not_replied.status_code, not_replied.json()["code"]) == (409, "transition_not_allowed")
    unit_urges = handler.post(f"/orders/{order.pk}/urge", {"note": "我催我自己"})
    assert (unit_urges.status_code, unit_urges.json()["code"]) == (403, "forbidden")
    bad_state = centre.get("/orders", state="nonsense")
    assert bad_state.status_code == 422 and bad_state.json()["code"]
    order.refresh_from_db()
    assert (order.state, order.urge_count, order.reply) == ("open", 0, "")


def test_outsiders_get_empty_lists_and_404s(scene, order, make_user) -> None:
    district = scene.desk.district
    outsiders = [
        scene.outsider,  # 新华街道 handler
        scene.desk.housing_handler,  # 住建局 assists on the appeal, but the order is 城管局's
        make_user(district.town_b, "dispatcher", username="disp-b"),  # a dispatcher held to town B
        make_user(district.town_b, "unit_head", username="head-b"),
        scene.desk.operator,  # the centre's operator: not an issuer, answers for no unit
    ]
    for user in outsiders:
        api = Api(user)
        listed = api.get("/orders", state="all")
        assert listed.status_code == 200 and listed.json()["items"] == [], user.username
        assert listed.json()["counts"]["all"] == 0
        for path, body in (
            (f"/orders/{order.pk}/reply", {"reply": "越权回复"}),
            (f"/orders/{order.pk}/urge", {"note": "越权催办"}),
            (f"/orders/{order.pk}/close", {}),
        ):
            response = api.post(path, body)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), (user.username, path)
        assert api.get(f"/orders/{order.pk}").status_code == 404
        issued = api.post("/orders", {"appeal": scene.appeal.tracking_no, "reason": "越权督办"})
        assert issued.status_code in (403, 404), user.username
    order.refresh_from_db()
    assert (order.state, order.reply, order.urge_count) == ("open", "", 0)
    assert SupervisionOrder.objects.count() == 1


def test_positive_controls_the_unit_and_the_centre_see_the_order(scene, order, make_user) -> None:
    head = make_user(scene.desk.district.dept_urban, "unit_head", username="head-cg")
    for user in (scene.handler, head, scene.leader, scene.dispatcher):
        api = Api(user)
        assert [o["id"] for o in api.get("/orders", state="all").json()["items"]] == [order.pk], user.username
        assert api.get(f"/orders/{order.pk}").json()["tracking_no"] == scene.appeal.tracking_no
    assert Api(scene.handler).get("/orders", state="closed").json()["items"] == []


def test_without_a_key_the_api_refuses(order) -> None:
    response = Client().get("/api/v1/supervision/orders")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
