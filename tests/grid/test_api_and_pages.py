"""The grid API (what the phone's queue sends), the phone pages and the console overview, each in its scope."""

from __future__ import annotations

import base64
import io
import json

import pytest
from desk import POINT_IN_A
from PIL import Image

from shanzhi.appeals.models import Appeal, Channel
from shanzhi.core import menu
from shanzhi.grid.models import CheckIn, GridReport, Patrol

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(f"/api/v1/grid/{path}", json.dumps(body, default=str), content_type="application/json")


def photo_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#f2c14e").save(buffer, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_the_same_submission_twice_is_stored_once(field, login, key, now):
    client = login(field.worker_a)
    patrol_key = key()
    first = post(client, "patrols", {"key": patrol_key, "at": now.isoformat()})
    again = post(client, "patrols", {"key": patrol_key, "at": now.isoformat()})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["created"] is False
    checkin = {"key": key(), "patrol_key": patrol_key, "at": now.isoformat(), "longitude": 106.8, "latitude": 39.68}
    assert post(client, "checkins", checkin).status_code == 201
    assert post(client, "checkins", checkin).status_code == 200
    body = {
        "key": key(),
        "at": now.isoformat(),
        "content": "井盖缺失",
        "category": field.road_light.code,
        "longitude": POINT_IN_A[0],
        "latitude": POINT_IN_A[1],
        "patrol_key": patrol_key,
        "photos": [photo_data_url()],
    }
    made = post(client, "reports", body)
    repeat = post(client, "reports", body)
    assert (made.status_code, repeat.status_code) == (201, 200)
    assert made.json()["detail"]["tracking_no"] == repeat.json()["detail"]["tracking_no"]
    assert Patrol.objects.count() == 1 and CheckIn.objects.count() == 1 and GridReport.objects.count() == 1
    appeal = Appeal.objects.get()
    assert appeal.channel == Channel.GRID and appeal.attachments.count() == 1
    finished = post(client, "patrols/finish", {"patrol_key": patrol_key, "at": now.isoformat()})
    assert finished.status_code == 200 and finished.json()["detail"]["state"] == "finished"


def test_coded_errors(field, login, key, now):
    client = login(field.worker_a)
    answer = post(
        client, "checkins", {"key": key(), "patrol_key": key(), "at": now.isoformat(), "longitude": 1, "latitude": 2}
    )
    assert answer.status_code == 404 and answer.json()["code"] == "unknown_patrol"
    bad_photo = {"key": key(), "at": now.isoformat(), "content": "x", "photos": ["@@@"]}
    assert post(client, "reports", bad_photo).json()["code"] == "invalid_photo"
    operator = post(login(field.operator), "patrols", {"key": key(), "at": now.isoformat()})
    assert operator.status_code == 403 and operator.json()["code"] == "not_a_grid_worker"
    assert Patrol.objects.count() == 0 and Appeal.objects.count() == 0


def test_reads_are_scoped(field, login, key, now):
    post(login(field.worker_a), "patrols", {"key": key(), "at": now.isoformat()})
    assert len(login(field.worker_a).get("/api/v1/grid/patrols").json()) == 1
    assert login(field.worker_b).get("/api/v1/grid/patrols").json() == []
    assert login(field.urban_handler).get("/api/v1/grid/patrols").json() == []
    assert login(field.urban_handler).get("/api/v1/grid/grids").json() == []
    assert [g["code"] for g in login(field.worker_b).get("/api/v1/grid/grids").json()] == [field.district.grid_b.code]
    leader = login(field.leader).get("/api/v1/grid/kpis").json()
    assert leader["grids"] == 2 and leader["coverage"] == 0.5
    worker_b = login(field.worker_b).get("/api/v1/grid/kpis").json()
    assert worker_b["grids"] == 1 and worker_b["coverage"] == 0
    assert login(field.urban_handler).get("/api/v1/grid/kpis").status_code == 403


def test_phone_pages_only_for_the_grid_worker(field, login, intake):
    client = login(field.worker_a)
    home = client.get("/m/grid/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "和平社区第1网格" in text and "开始巡查" in text and 'name="csrf-token"' in text
    assert "问题描述" in client.get("/m/grid/report/").content.decode()
    assert login(field.operator).get("/m/grid/").status_code == 404
    assert login(field.urban_handler).get("/m/grid/report/").status_code == 404
    assert client.get("/m/grid/verify/HB20990101-000001/").status_code == 404
    other = intake(channel="grid", area=field.district.grid_b)
    assert login(field.worker_b).get(f"/m/grid/verify/{other.tracking_no}/").status_code == 404  # not fed back


def test_console_overview_and_menu(field, login):
    page = login(field.leader).get("/console/grid/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "和平社区第1网格" in text and "清泉社区第1网格" in text and "导入网格边界" not in text
    community = login(field.community_head).get("/console/grid/").content.decode()
    assert "和平社区第1网格" in community and "清泉社区第1网格" not in community
    assert login(field.urban_handler).get("/console/grid/").status_code == 404
    assert "导入网格边界" in login(field.admin).get("/console/grid/").content.decode()
    keys = {item.key for item in menu.items_for(field.leader)}
    assert "grid" in keys
    assert "grid" not in {item.key for item in menu.items_for(field.urban_handler)}
