"""POST /appeals: create, idempotent retries (also concurrent), routing, and coded refusals that change nothing."""

from __future__ import annotations

import threading

import pytest
from desk import POINT_IN_B, POINT_OUTSIDE
from django.db import connection

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment

from .conftest import ApiClient, appeal_body


def test_create_then_retry_with_same_idempotency_key_returns_the_same_appeal(desk):
    client = desk.client("a")
    first = client.post("/appeals", appeal_body(), **{"Idempotency-Key": "order-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["tracking_no"].startswith("HB")
    assert data["state"] == "dispatched", data["routing_explanation"]
    assert data["lead_unit"]["code"] == desk.district.town_a.code  # 物业服务 → territorial town of grid A
    assert data["area"]["code"] == desk.district.grid_a.code
    assert data["category"]["path"] == "城乡建设/物业管理/物业服务"
    events = AppealEvent.objects.count()

    retry = client.post("/appeals", appeal_body(content="重复提交"), **{"Idempotency-Key": "order-1"})
    assert retry.status_code == 200
    assert retry.json()["tracking_no"] == data["tracking_no"]
    assert retry.json()["id"] == data["id"]
    assert Appeal.objects.count() == 1
    assert AppealEvent.objects.count() == events
    assert Appeal.objects.get().content == appeal_body()["content"]


def test_idempotency_keys_are_per_caller_and_without_a_key_each_post_creates(desk):
    a, centre = desk.client("a"), desk.client("centre")
    assert a.post("/appeals", appeal_body(), **{"Idempotency-Key": "k"}).status_code == 201
    assert centre.post("/appeals", appeal_body(), **{"Idempotency-Key": "k"}).status_code == 201
    assert a.post("/appeals", appeal_body()).status_code == 201
    assert a.post("/appeals", appeal_body()).status_code == 201
    assert Appeal.objects.count() == 4
    assert len(set(Appeal.objects.values_list("tracking_no", flat=True))) == 4


def test_category_by_id_code_or_path_and_place_by_area_code(desk):
    client = desk.client("centre")
    by_id = client.post("/appeals", appeal_body(category=desk.road_light.pk))
    by_path = client.post("/appeals", appeal_body(category="城乡建设/市政设施/路灯损坏"))
    assert by_id.status_code == by_path.status_code == 201
    for response in (by_id, by_path):
        body = response.json()
        assert body["category"]["code"] == "010101"
        assert body["lead_unit"]["code"] == desk.district.dept_urban.code  # catalogue rule
    appeal = Appeal.objects.get(pk=by_id.json()["id"])
    units = set(Assignment.objects.filter(appeal=appeal).values_list("unit__code", "role"))
    assert units == {(desk.district.dept_urban.code, "lead"), (desk.district.dept_housing.code, "assisting")}

    by_area = client.post(
        "/appeals", appeal_body(longitude=None, latitude=None, area_code=desk.district.community_b.code)
    )
    assert by_area.status_code == 201, by_area.content
    assert by_area.json()["area"]["code"] == desk.district.community_b.code
    assert by_area.json()["lead_unit"]["code"] == desk.district.town_b.code


def test_place_by_coordinates_resolves_the_grid(desk):
    body = appeal_body(area_code=None, longitude=POINT_IN_B[0], latitude=POINT_IN_B[1])
    response = desk.client("centre").post("/appeals", body)
    assert response.status_code == 201, response.content
    assert response.json()["area"]["code"] == desk.district.grid_b.code
    assert response.json()["lead_unit"]["code"] == desk.district.town_b.code


def _assert_refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "details"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]  # Chinese by default
    return body


def test_coded_refusals_change_nothing(desk):
    client = desk.client("a")
    _assert_refused(client.post("/appeals", appeal_body(category="no-such-code")), 422, "unknown_category")
    lon, lat = POINT_OUTSIDE
    outside = appeal_body(area_code=None, longitude=lon, latitude=lat)
    _assert_refused(client.post("/appeals", outside), 422, "outside_district")
    _assert_refused(
        client.post("/appeals", appeal_body(longitude=None, latitude=None, area_code="999999999999")),
        422,
        "unknown_area",
    )
    _assert_refused(
        client.post("/appeals", appeal_body(longitude=None, latitude=None, area_code="150303000000"[:3] + "X")),
        422,
        "unknown_area",
    )
    _assert_refused(client.post("/appeals", appeal_body(citizen_phone="1381234")), 422, "invalid_phone")
    _assert_refused(client.post("/appeals", appeal_body(channel="fax")), 422, "invalid_channel")
    body = _assert_refused(client.post("/appeals", {"category": "010201"}), 422, "invalid_request")
    assert body["details"]["errors"][0]["loc"][-1] == "content"
    assert Appeal.objects.count() == 0
    assert AppealEvent.objects.count() == 0


def test_area_outside_the_district_is_refused(desk):
    # The city itself is a territorial unit but not inside the district.
    response = desk.client("a").post(
        "/appeals", appeal_body(longitude=None, latitude=None, area_code=desk.district.city.code)
    )
    _assert_refused(response, 422, "outside_district")
    assert Appeal.objects.count() == 0


def test_role_without_intake_right_is_refused(desk):
    response = desk.client("urban").post("/appeals", appeal_body())
    _assert_refused(response, 403, "role_may_not_intake")
    assert Appeal.objects.count() == 0


def test_message_language_follows_accept_language(desk):
    client = desk.client("a")
    zh = client.post("/appeals", appeal_body(category="nope"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.post("/appeals", appeal_body(category="nope"), **{"Accept-Language": "en"})
    assert zh.json()["code"] == en.json()["code"] == "unknown_category"
    assert zh.json()["message"] == "诉求分类不存在或已停用"
    assert en.headers.get("Content-Language") == "en"


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_create_one_appeal(desk):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers with table locks in the shared-cache test database; run on PostgreSQL")
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        try:
            client = ApiClient(desk.keys["a"])
            barrier.wait(timeout=10)
            response = client.post("/appeals", appeal_body(), **{"Idempotency-Key": "same-order"})
            with lock:
                results.append((response.status_code, response.json().get("tracking_no", response.content)))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == workers
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (workers - 1) + [201], results
    assert len({tracking for _, tracking in results}) == 1
    assert Appeal.objects.filter(idempotency_key="same-order").count() == 1
