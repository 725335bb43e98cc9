"""IoT fixtures: devices in the desk's two grids, and publishing to the real Mosquitto broker on 127.0.0.1:1883."""

from __future__ import annotations

import datetime as dt
import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from shanzhi.iot import rules
from shanzhi.iot.models import Device
from shanzhi.iot.services import Incoming

BROKER = ("127.0.0.1", 1883)
SECRET_A = "a1" * 32
SECRET_B = "b2" * 32


@pytest.fixture
def devices(desk) -> dict[str, Device]:
    d = desk.district
    grid_a_point, grid_b_point = (106.80, 39.68), (106.85, 39.68)
    return {
        "smoke_a": Device.objects.create(
            code="SD-A-001",
            name="和平小区3号楼烟感",
            device_type="smoke",
            grid=d.grid_a,
            secret=SECRET_A,
            address="和平小区3号楼",
            building="2单元",
            longitude=grid_a_point[0],
            latitude=grid_a_point[1],
        ),
        "panel_a": Device.objects.create(
            code="FP-A-001",
            name="和平小区消防主机",
            device_type="fire_panel",
            payload_format="fire_panel",
            grid=d.grid_a,
            secret=SECRET_A,
        ),
        "camera_b": Device.objects.create(
            code="CAM-B-001",
            name="清泉小区1号梯摄像机",
            device_type="ebike_lift",
            payload_format="camera",
            grid=d.grid_b,
            secret=SECRET_B,
            longitude=grid_b_point[0],
            latitude=grid_b_point[1],
            video_stream="rtsp://vms.local/34020000001320000017",
        ),
        "gate_b": Device.objects.create(
            code="AC-B-001",
            name="清泉小区南门门禁",
            device_type="access_gate",
            payload_format="access",
            grid=d.grid_b,
            secret=SECRET_B,
        ),
    }


def alarm_payload(device: Device, message_id: str, *, at: dt.datetime, alarm: str = "smoke", **extra: Any) -> bytes:
    body = {"id": message_id, "ts": at.isoformat(), "kind": "alarm", "alarm": alarm, **extra}
    return json.dumps(rules.signed(device.secret, body), ensure_ascii=False).encode()


def incoming(device: Device | str, payload: bytes, *, at: dt.datetime | None = None) -> Incoming:
    code = device if isinstance(device, str) else device.code
    from shanzhi.core import clock

    return Incoming(rules.events_topic(code), payload, at or clock.now())


def broker_reachable() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def broker_prefix() -> Iterator[str]:
    """A topic prefix of the test's own, so runs and benchmarks on the shared broker never see each other."""
    if not broker_reachable():
        pytest.fail("the Mosquitto broker at 127.0.0.1:1883 is not running")
    yield f"test-shanzhi-{uuid.uuid4().hex[:10]}/iot"
