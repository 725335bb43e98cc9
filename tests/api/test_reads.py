"""Reads: data scope (404 / absent), keyset pagination and filters, personal data masking and its access log."""

from __future__ import annotations

import datetime as dt

import time_machine

from shanzhi.appeals.models import Appeal
from shanzhi.core.models import PersonalDataAccess

from .conftest import appeal_body


def _create(client, **overrides) -> dict:
    response = client.post("/appeals", appeal_body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_another_towns_key_sees_nothing_of_the_appeal(desk):
    created = _create(desk.client("a"))
    mine, other, centre = desk.client("a"), desk.client("b"), desk.client("centre")
    for key in (created["tracking_no"], str(created["id"])):
        assert mine.get(f"/appeals/{key}").status_code == 200
        assert centre.get(f"/appeals/{key}").status_code == 200
        refused = other.get(f"/appeals/{key}")
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
        assert other.get(f"/appeals/{key}/timeline").status_code == 404
    assert [a["id"] for a in mine.get("/appeals").json()["items"]] == [created["id"]]
    assert other.get("/appeals").json() == {"items": [], "next": None}
    # A transition on an invisible appeal is a 404 too, never a hint that it exists.
    assert other.post(f"/appeals/{created['id']}/reply", {"text": "x"}).status_code == 404


def test_list_pages_by_cursor_without_gaps_or_repeats(desk):
    client = desk.client("centre")
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    ids = []
    for i in range(7):
        with time_machine.travel(start + dt.timedelta(minutes=i // 2), tick=False):  # pairs share a timestamp
            ids.append(_create(client, content=f"第{i}件")["id"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/appeals", params).json()
        seen += [a["id"] for a in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(ids, reverse=True)  # newest first; same timestamp → higher id first
    bad = client.get("/appeals", {"cursor": "!!not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


def test_list_filters(desk):
    client = desk.client("centre")
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        light = _create(client, category="010101", channel="hotline")
    with time_machine.travel(dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        prop = _create(client, category="010201", channel="web")
        raw = _create(client, category=None, channel="web", structured=False)

    def ids(**params) -> set[int]:
        response = client.get("/appeals", params)
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["items"]}

    assert ids(channel="hotline") == {light["id"]}
    assert ids(state="received") == {raw["id"]}
    assert ids(state="dispatched,received") == {light["id"], prop["id"], raw["id"]}
    assert ids(category="城乡建设") == {light["id"], prop["id"]}  # includes sub-categories
    assert ids(category="010101") == {light["id"]}
    assert ids(created_from="2026-11-04T00:00:00+08:00") == {prop["id"], raw["id"]}
    assert ids(created_to="2026-11-04T00:00:00") == {light["id"]}  # naive: the centre's time zone
    unknown = client.get("/appeals", {"category": "nope"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_category"


def test_personal_data_masked_without_the_permission_and_logged_with_it(desk):
    created = _create(desk.client("a"))
    assert created["citizen_phone"] == "138****5678"
    assert created["citizen_name"] == "张*丰"
    assert created["personal_data_masked"] is True
    assert PersonalDataAccess.objects.count() == 0

    full = desk.client("pd").get(f"/appeals/{created['tracking_no']}").json()
    assert full["citizen_phone"] == "13812345678"
    assert full["citizen_name"] == "张三丰"
    assert full["personal_data_masked"] is False
    log = PersonalDataAccess.objects.get()
    assert log.subject_type == "appeal" and log.subject_id == created["tracking_no"]
    assert log.user.username == "int-pd"

    desk.client("pd").get("/appeals")
    assert PersonalDataAccess.objects.count() == 1 + Appeal.objects.count()


def test_detail_has_assignments_actions_and_timeline(desk):
    created = _create(desk.client("centre"), category="010101")
    detail = desk.client("centre").get(f"/appeals/{created['id']}").json()
    assert {(a["unit"]["code"], a["role"]) for a in detail["assignments"]} == {("D-CG", "lead"), ("D-ZJ", "assisting")}
    assert detail["actions"] == []  # an integration key takes no centre action
    timeline = desk.client("centre").get(f"/appeals/{created['tracking_no']}/timeline").json()
    assert [e["kind"] for e in timeline] == ["received", "accepted", "dispatched"]
    assert timeline[-1]["payload"]["lead"] == "D-CG"


def test_a_console_session_gets_personal_data_masked_through_the_api(desk, make_user, district):
    """The console shows personal data in full only after a typed reason; its session cannot skip that by
    calling the API, even with the permission."""
    from django.test import Client

    created = _create(desk.client("a"))
    supervisor = make_user(district.centre, "dispatcher", username="sup", personal_data=True)
    session = Client()
    session.force_login(supervisor)
    body = session.get(f"/api/v1/appeals/{created['tracking_no']}").json()
    assert body["citizen_phone"] == "138****5678" and body["personal_data_masked"] is True
    assert PersonalDataAccess.objects.count() == 0
