"""Console pages, the API and the webhook, each through the viewer's scope: outside it, nothing (404 / empty)."""

import datetime as dt
import json

import pytest
from conftest import alarm_payload, incoming

from shanzhi.appeals.models import Appeal, AppealEvent
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.iot import rules, selectors
from shanzhi.iot.models import Alarm, RejectedMessage
from shanzhi.iot.services import device_register, messages_ingest
from shanzhi.iot.verdicts import alarm_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def alarms(devices):
    now = clock.now()
    a, b = devices["smoke_a"], devices["camera_b"]
    camera = json.dumps(
        rules.signed(b.secret, {"eventId": "E-1", "eventTime": now.isoformat(), "algorithm": "HIGH_ALTITUDE_THROWING"})
    ).encode()
    messages_ingest([incoming(a, alarm_payload(a, "m-1", at=now)), incoming(b, camera)])
    return {"a": Alarm.objects.get(device=a), "b": Alarm.objects.get(device=b)}


def test_selectors_keep_to_the_viewers_grids(desk, devices, alarms, make_user):
    worker_a, town_b = desk.grid_worker_a, desk.town_b_handler
    assert set(selectors.devices_visible_to(worker_a).values_list("code", flat=True)) == {"SD-A-001", "FP-A-001"}
    assert set(selectors.alarms_visible_to(worker_a)) == {alarms["a"]}
    assert set(selectors.alarms_visible_to(town_b)) == {alarms["b"]}
    assert selectors.alarms_visible_to(desk.dispatcher).count() == 2  # the centre sees everything
    # A department and an account without a unit see nothing.
    assert not selectors.alarms_visible_to(desk.urban_handler).exists()
    assert not selectors.devices_visible_to(make_user(None, "grid_worker", username="nounit")).exists()
    with pytest.raises(NotFound):
        selectors.alarm_get(user=worker_a, alarm_id=alarms["b"].pk)
    with pytest.raises(NotFound):
        selectors.device_get(user=worker_a, code="CAM-B-001")
    assert [r.grid for r in selectors.by_grid(user=worker_a, since=clock.now())] == [desk.district.grid_a]


def test_the_grid_worker_confirms_or_calls_it_false_and_the_appeal_notes_it(desk, alarms):
    worker = desk.grid_worker_a
    with pytest.raises(NotFound):  # outside the scope: not found
        alarm_resolve(actor=worker, alarm_id=alarms["b"].pk, real=True)
    with pytest.raises(ValidationFailed):
        alarm_resolve(actor=worker, alarm_id=alarms["a"].pk, real=False)
    resolved = alarm_resolve(actor=worker, alarm_id=alarms["a"].pk, real=False, note="做饭油烟")
    assert resolved.state == "false" and resolved.resolved_by == worker
    note = AppealEvent.objects.get(appeal=alarms["a"].appeal, kind="note", payload__iot_alarm__isnull=False)
    assert "误报" in note.reason and note.actor == worker
    with pytest.raises(TransitionNotAllowed):
        alarm_resolve(actor=worker, alarm_id=alarms["a"].pk, real=True)
    figures = selectors.device_figures(user=worker, device=alarms["a"].device)
    assert (figures.alarms, figures.false, figures.false_percent) == (1, 1, 100)


def test_registering_a_device_needs_the_role_and_a_grid(desk):
    d = desk.district
    device = device_register(actor=desk.dispatcher, code="GAS-1", name="燃气探测", device_type="gas", grid=d.grid_a)
    assert len(device.secret) == 64
    with pytest.raises(PermissionDenied):
        device_register(actor=desk.grid_worker_a, code="GAS-2", name="x", device_type="gas", grid=d.grid_a)
    with pytest.raises(ValidationFailed):
        device_register(actor=desk.dispatcher, code="GAS-1", name="x", device_type="gas", grid=d.grid_a)
    with pytest.raises(ValidationFailed):
        device_register(actor=desk.dispatcher, code="GAS/3", name="x", device_type="gas", grid=d.grid_a)
    with pytest.raises(ValidationFailed):
        device_register(actor=desk.dispatcher, code="GAS-4", name="x", device_type="gas", grid=d.community_a)


def test_console_pages_show_the_scope_and_404_outside_it(desk, devices, alarms, login):
    worker = login(desk.grid_worker_a)
    page = worker.get("/console/iot/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "和平小区3号楼烟感" in text and "清泉小区1号梯摄像机" not in text
    assert worker.get(f"/console/iot/alarms/{alarms['a'].pk}/").status_code == 200
    assert worker.get(f"/console/iot/alarms/{alarms['b'].pk}/").status_code == 404
    assert worker.get("/console/iot/devices/CAM-B-001/").status_code == 404
    device_page = worker.get("/console/iot/devices/SD-A-001/").content.decode()
    assert "shanzhi/iot/SD-A-001/events" in device_page
    grids = worker.get("/console/iot/grids/").content.decode()
    assert "和平社区第1网格" in grids and "清泉社区第1网格" not in grids
    # The map layers carry the worker's devices and open alarms only.
    assert 'id="iot-map"' in grids and "SD-A-001" in grids and "CAM-B-001" not in grids
    devices_page = worker.get("/console/iot/devices/").content.decode()
    assert "SD-A-001" in devices_page and "AC-B-001" not in devices_page
    # The verdict through the page.
    answer = worker.post(f"/console/iot/alarms/{alarms['a'].pk}/resolve/", {"verdict": "real", "note": "已到场"})
    assert answer.status_code == 302
    assert Alarm.objects.get(pk=alarms["a"].pk).state == "confirmed"
    assert worker.post(f"/console/iot/alarms/{alarms['b'].pk}/resolve/", {"verdict": "real"}).status_code == 404
    # A department's handler has no IoT pages.
    assert login(desk.urban_handler).get("/console/iot/").status_code == 404


def test_the_api_keeps_to_the_scope(desk, devices, alarms, login):
    worker = login(desk.grid_worker_a)
    listed = worker.get("/api/v1/iot/alarms").json()
    assert [a["device_code"] for a in listed] == ["SD-A-001"]
    assert listed[0]["appeal_tracking_no"] == alarms["a"].appeal.tracking_no
    assert worker.get(f"/api/v1/iot/alarms/{alarms['b'].pk}").status_code == 404
    assert worker.get("/api/v1/iot/devices/CAM-B-001").status_code == 404
    assert {d["code"] for d in worker.get("/api/v1/iot/devices").json()} == {"SD-A-001", "FP-A-001"}
    assert login(desk.urban_handler).get("/api/v1/iot/alarms").json() == []
    assert len(login(desk.dispatcher).get("/api/v1/iot/alarms").json()) == 2
    answer = worker.post(
        f"/api/v1/iot/alarms/{alarms['a'].pk}/resolve",
        data={"real": False, "note": "测试按钮"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["state"] == "false"
    assert (
        worker.post(
            f"/api/v1/iot/alarms/{alarms['b'].pk}/resolve", data={"real": True}, content_type="application/json"
        ).status_code
        == 404
    )
    from django.test import Client

    assert Client().get("/api/v1/iot/alarms").status_code == 401


def test_the_webhook_takes_signed_messages_and_refuses_the_rest(desk, devices):
    from django.test import Client

    client, device, now = Client(), devices["smoke_a"], clock.now()
    one = json.loads(alarm_payload(device, "w-1", at=now))
    answer = client.post("/api/v1/iot/devices/SD-A-001/events", data=one, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["stored"] == 1 and answer.json()["appeals"] == 1
    again = client.post("/api/v1/iot/devices/SD-A-001/events", data=[one], content_type="application/json")
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    forged = {**one, "id": "w-2"}
    refused = client.post("/api/v1/iot/devices/SD-A-001/events", data=forged, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "iot_bad_signature"
    unknown = client.post("/api/v1/iot/devices/NOPE/events", data=one, content_type="application/json")
    assert unknown.status_code == 403 and unknown.json()["code"] == "iot_bad_signature"
    garbage = client.post("/api/v1/iot/devices/SD-A-001/events", data=b"{not json", content_type="application/json")
    assert garbage.status_code == 422
    assert Appeal.objects.count() == 1
    assert sorted(RejectedMessage.objects.values_list("reason", flat=True)) == [
        "bad_signature",
        "malformed",
        "unknown_device",
    ]


def test_access_entries_and_exits_per_hour_in_scope(desk, devices, login):
    gate = devices["gate_b"]
    base = clock.now().replace(minute=5, second=0, microsecond=0) - dt.timedelta(hours=2)
    batch = [
        incoming(gate, json.dumps(rules.signed(gate.secret, {
            "recordId": f"r-{i}", "openTime": (base + dt.timedelta(minutes=i * 20)).isoformat(),
            "openType": "FACE", "direction": "in" if i % 3 else "out", "personId": f"P-{i}",
        })).encode())
        for i in range(6)
    ]  # fmt: skip
    messages_ingest(batch)
    hours = selectors.access_by_hour(user=desk.town_b_handler, device=gate, since=base - dt.timedelta(hours=1))
    assert [(h.entries, h.exits) for h in hours] == [(2, 1), (2, 1)]
    with pytest.raises(NotFound):
        selectors.access_by_hour(user=desk.grid_worker_a, device=gate, since=base)
    page = login(desk.town_b_handler).get("/console/iot/devices/AC-B-001/").content.decode()
    assert 'id="iot-access"' in page and "P-1" not in page
