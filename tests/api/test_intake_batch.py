"""POST /api/v1/appeals/batch: many appeals per call, each routed and timed like a single intake; bad items are
rejected with their coded Chinese error while the rest are registered; retried items are never registered twice."""

from __future__ import annotations

import pytest
from desk import POINT_OUTSIDE
from django.test import override_settings

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.notifications.models import OutboxMessage

from .conftest import appeal_body

pytestmark = pytest.mark.django_db

PATH = "/appeals/batch"


def item(key: str | None = None, **overrides):  # type: ignore[no-untyped-def]
    body = appeal_body(channel="city_12345", **overrides)
    if key is not None:
        body["idempotency_key"] = key
    return body


def counts() -> tuple[int, int, int, int]:
    return (
        Appeal.objects.count(),
        Assignment.objects.count(),
        AppealEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_batch_registers_routes_and_acknowledges_every_item(desk):
    body = {
        "appeals": [
            item("k1"),
            item("k2", category="010101", content="和平路路灯不亮", external_ref="12345-0002"),
            item("k3", citizen_phone="13812345678"),  # the same citizen twice in one batch
        ]
    }
    response = desk.client("centre").post(PATH, body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["existing"], data["rejected"]) == (3, 0, 0)
    assert [r["index"] for r in data["results"]] == [0, 1, 2]
    receipts = [r["appeal"] for r in data["results"]]
    assert all(r["status"] == "created" and r["error"] is None for r in data["results"])

    numbers = [r["tracking_no"] for r in receipts]
    assert len(set(numbers)) == 3
    assert [int(n[-6:]) for n in numbers] == sorted(int(n[-6:]) for n in numbers)
    assert receipts[1]["external_ref"] == "12345-0002"
    assert receipts[1]["category"] == "010101"
    assert receipts[1]["lead_unit"]["code"] == desk.district.dept_urban.code
    assert receipts[0]["lead_unit"]["code"] == desk.district.town_a.code  # territorial: the grid's town
    assert all(r["state"] == "dispatched" and r["due_at"] for r in receipts)
    assert "citizen_phone" not in receipts[0]  # receipts carry no personal data

    # Exactly what three single intakes would have written.
    urban = Appeal.objects.get(tracking_no=numbers[1])
    assert urban.channel == "city_12345" and urban.created_by == desk.centre_integration
    assert {(a.unit.code, a.role) for a in urban.assignments.all()} == {
        (desk.district.dept_urban.code, "lead"),
        (desk.district.dept_housing.code, "assisting"),
    }
    assert list(urban.events.values_list("kind", flat=True)) == ["received", "accepted", "dispatched"]
    assert urban.assignments.get(role="lead").due_at == urban.due_at
    messages = OutboxMessage.objects.filter(appeal__tracking_no__in=numbers)
    assert messages.count() == 3
    assert len({m.dedupe_key for m in messages}) == 3
    assert all(m.body and numbers[0][:2] in m.body for m in messages)


def test_a_bad_item_is_rejected_with_its_code_and_the_others_are_registered(desk):
    body = {
        "appeals": [
            item("ok-1"),
            item("bad-category", category="999999"),
            item("bad-place", area_code=None, longitude=POINT_OUTSIDE[0], latitude=POINT_OUTSIDE[1]),
            item("bad-area", area_code="150302999999999"),
            item("bad-phone", citizen_phone="123"),
            item("ok-2", content="另一件诉求：楼道灯不亮"),
        ]
    }
    response = desk.client("centre").post(PATH, body)
    assert response.status_code == 200
    data = response.json()
    assert (data["created"], data["rejected"]) == (2, 4)
    by_index = {r["index"]: r for r in data["results"]}
    assert by_index[1]["error"]["code"] == "unknown_category"
    assert by_index[1]["error"]["message"] == "诉求分类不存在或已停用"
    assert by_index[2]["error"]["code"] == "outside_district"
    assert by_index[3]["error"]["code"] == "unknown_area"
    assert by_index[4]["error"]["code"] == "invalid_phone"
    assert all(by_index[i]["appeal"] is None for i in (1, 2, 3, 4))
    assert Appeal.objects.count() == 2
    assert not Appeal.objects.filter(idempotency_key__startswith="bad-").exists()


def test_errors_follow_the_callers_language(desk):
    response = desk.client("centre").post(
        PATH, {"appeals": [item("x", category="999999")]}, **{"Accept-Language": "en"}
    )
    error = response.json()["results"][0]["error"]
    assert error["code"] == "unknown_category"
    assert error["message"] == "The category does not exist or is inactive"


def test_a_retried_batch_registers_nothing_twice(desk):
    client = desk.client("centre")
    body = {"appeals": [item("r-1"), item("r-2"), item("r-2")]}  # the last repeats the second inside the batch
    first = client.post(PATH, body).json()
    assert [r["status"] for r in first["results"]] == ["created", "created", "existing"]
    assert first["results"][2]["appeal"]["id"] == first["results"][1]["appeal"]["id"]
    before = counts()

    again = client.post(PATH, body).json()
    assert (again["created"], again["existing"]) == (0, 3)
    assert [r["appeal"]["id"] for r in again["results"]] == [r["appeal"]["id"] for r in first["results"]]
    assert counts() == before

    # The key belongs to its caller: another integration may use the same key for its own appeal.
    other = desk.client("a").post(PATH, {"appeals": [item("r-1")]}).json()
    assert other["created"] == 1


def test_single_and_batch_intake_share_idempotency_keys(desk):
    client = desk.client("centre")
    single = client.post("/appeals", appeal_body(), **{"Idempotency-Key": "shared-1"})
    assert single.status_code == 201
    batch = client.post(PATH, {"appeals": [item("shared-1")]}).json()
    assert batch["results"][0]["status"] == "existing"
    assert batch["results"][0]["appeal"]["id"] == single.json()["id"]


def test_roles_that_may_not_register_get_403_and_nothing_changes(desk):
    before = counts()
    response = desk.client("urban").post(PATH, {"appeals": [item("h-1")]})
    assert response.status_code == 403
    assert response.json()["code"] == "role_may_not_intake"
    assert counts() == before


def test_without_a_key_401(desk):
    from .conftest import ApiClient

    response = ApiClient().post(PATH, {"appeals": [item("n-1")]})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_empty_or_oversized_batch_is_refused_whole(desk):
    client = desk.client("centre")
    empty = client.post(PATH, {"appeals": []})
    assert empty.status_code == 422 and empty.json()["code"] == "invalid_request"
    with override_settings(SHANZHI={**__import__("django.conf").conf.settings.SHANZHI, "INTAKE_BATCH_MAX": 2}):
        big = client.post(PATH, {"appeals": [item("b-1"), item("b-2"), item("b-3")]})
    assert big.status_code == 422
    assert big.json()["code"] == "batch_too_large"
    assert big.json()["details"] == {"limit": 2}
    assert Appeal.objects.count() == 0


def test_the_batch_is_in_the_openapi_document(desk):
    spec = desk.client("centre").get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/appeals/batch"]["post"]
    assert operation["summary"] == "批量登记诉求"


def test_one_delivery_task_sends_the_whole_batch(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        data = desk.client("centre").post(PATH, {"appeals": [item("d-1"), item("d-2"), item("d-3")]}).json()
    assert data["created"] == 3
    assert len(callbacks) == 1  # one task for the three messages
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}
