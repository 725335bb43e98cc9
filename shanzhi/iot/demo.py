"""Demo data of IoT sensing: devices in the model district's grids (placed inside each grid's boundary), and a few
signed messages taken through the real ingest, so the console has alarms that became appeals, a de-duplicated
repeat, heartbeats, a false alarm and refused messages. Idempotent: devices by code, messages by their ids."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

from shapely.geometry import shape

from shanzhi.iot import rules
from shanzhi.iot.models import Alarm, AlarmState, Device, RejectedMessage
from shanzhi.iot.services import Incoming, messages_ingest
from shanzhi.iot.verdicts import alarm_resolve
from shanzhi.orgs.models import Boundary, Role, UnitKind, User

KINDS = [
    # (device type, payload format, name, vendor, video)
    ("smoke", "generic", "独立式烟感", "海曼", False),
    ("fire_panel", "fire_panel", "消防报警主机", "海湾", False),
    ("ebike_lift", "camera", "电梯电动车监测摄像机", "海康威视", True),
    ("throwing", "camera", "高空抛物监测摄像机", "大华", True),
    ("access_gate", "access", "小区门禁", "立林", False),
]


def _secret(code: str, seed: int) -> str:
    return hashlib.sha256(f"shanzhi-demo-iot:{seed}:{code}".encode()).hexdigest()


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    rng = random.Random(seed + 15)
    boundaries = list(
        Boundary.objects.filter(unit__kind=UnitKind.GRID, unit__is_active=True, is_current=True)
        .select_related("unit")
        .order_by("unit__code")
    )
    if not boundaries:
        return ["物联感知：没有带边界的网格，未生成设备"]
    chosen = boundaries[:12] if scale == "demo" else boundaries
    created = 0
    devices: list[Device] = []
    for boundary in chosen:
        polygon = shape(boundary.geojson)
        west, south, east, north = polygon.bounds
        grid = boundary.unit
        for index, (device_type, payload_format, label, vendor, video) in enumerate(KINDS):
            code = f"DEMO-{grid.code}-{index + 1:02d}"
            point = polygon.representative_point()
            for _ in range(20):  # a random point inside the grid, the representative point if none is found
                lon, lat = rng.uniform(west, east), rng.uniform(south, north)
                if polygon.contains(type(point)(lon, lat)):
                    point = type(point)(lon, lat)
                    break
            device, was_created = Device.objects.get_or_create(
                code=code,
                defaults={
                    "name": f"{grid.name}{label}",
                    "device_type": device_type,
                    "payload_format": payload_format,
                    "vendor": vendor,
                    "grid": grid,
                    "address": f"{grid.name}{index + 1}号楼",
                    "building": f"{rng.randint(1, 4)}单元",
                    "longitude": round(point.x, 6),
                    "latitude": round(point.y, 6),
                    "video_stream": f"rtsp://vms.demo.local/{code}" if video else "",
                    "secret": _secret(code, seed),
                },
            )
            created += int(was_created)
            devices.append(device)
    outcome = messages_ingest(_messages(devices, now))
    _verdicts()
    return [
        f"物联感知：设备 {len(devices)} 台（新建 {created}），消息入库 {outcome.stored}，"
        f"新告警 {len(outcome.alarms_new)}，转工单 {len(outcome.appeals)}，拒收 {sum(outcome.rejected.values())}"
    ]


def _signed(device: Device, body: dict) -> bytes:
    return json.dumps(rules.signed(device.secret, body), ensure_ascii=False).encode()


def _messages(devices: list[Device], now: dt.datetime) -> list[Incoming]:
    by_type: dict[str, list[Device]] = {}
    for device in devices:
        by_type.setdefault(device.device_type, []).append(device)
    out: list[Incoming] = []

    def add(device: Device, payload: bytes, at: dt.datetime) -> None:
        out.append(Incoming(rules.events_topic(device.code), payload, at))

    smoke_count = len(by_type.get("smoke", []))
    for n, device in enumerate(by_type.get("smoke", [])):
        at = now - dt.timedelta(minutes=5 + n)
        battery = 12 if n == smoke_count - 1 else 90 - n  # the last one's battery is low: a maintenance order
        add(
            device,
            _signed(device, {"id": f"hb-{n}", "ts": at.isoformat(), "kind": "heartbeat", "battery": battery}),
            at,
        )
    smokes = by_type.get("smoke", [])
    if smokes:
        device, at = smokes[0], now - dt.timedelta(minutes=40)
        for repeat in range(3):  # one alarm, repeated within its window: one appeal
            ts = (at + dt.timedelta(minutes=repeat * 2)).isoformat()
            add(device, _signed(device, {"id": f"a-{repeat}", "ts": ts, "kind": "alarm", "alarm": "smoke"}), at)
    for n, device in enumerate(by_type.get("fire_panel", [])[:2]):
        at = now - dt.timedelta(hours=3 + n)
        body = {"msgNo": 900 + n, "time": at.timestamp(), "eventType": "FIRE", "loop": 1, "point": 4 + n}
        add(device, _signed(device, body), at)
    for n, device in enumerate(by_type.get("ebike_lift", [])[:3]):
        at = now - dt.timedelta(minutes=90 + n * 17)
        body = {"eventId": f"EV-{n}", "eventTime": at.isoformat(), "algorithm": "EBIKE_IN_ELEVATOR", "confidence": 0.91}
        add(device, _signed(device, body), at)
    for n, device in enumerate(by_type.get("throwing", [])[:1]):
        at = now - dt.timedelta(hours=6)
        body = {"eventId": f"HT-{n}", "eventTime": at.isoformat(), "algorithm": "HIGH_ALTITUDE_THROWING"}
        add(device, _signed(device, body), at)
    for n, device in enumerate(by_type.get("access_gate", [])[:4]):
        at = now - dt.timedelta(minutes=30 + n)
        body = {"recordId": f"R-{n}", "openTime": at.isoformat(), "openType": "FACE", "direction": "in"}
        add(device, _signed(device, body), at)
    refused_before = RejectedMessage.objects.filter(
        device_code__in=[smokes[-1].code if smokes else "", "UNREGISTERED-1"]
    )
    if smokes and not refused_before.exists():  # refused: a forged signature and a device nobody registered
        forged = json.loads(_signed(smokes[-1], {"id": "x", "ts": now.isoformat(), "kind": "alarm", "alarm": "fire"}))
        forged["alarm"] = "gas"
        add(smokes[-1], json.dumps(forged).encode(), now)
        add(Device(code="UNREGISTERED-1"), b'{"id": "1"}', now)
    return out


def _verdicts() -> None:
    """The first fire-panel alarm was a false one (a test of the panel), as its grid worker found."""
    demo = Alarm.objects.filter(alarm_type="fire", device__code__startswith="DEMO-")
    if demo.filter(state=AlarmState.FALSE).exists():
        return
    for alarm in demo.filter(state=AlarmState.OPEN).select_related("device").order_by("pk"):
        worker = User.objects.filter(groups__name=Role.GRID_WORKER, unit=alarm.device.grid_id, is_active=True).first()
        if worker is not None:
            alarm_resolve(actor=worker, alarm_id=alarm.pk, real=False, note="物业测试消防主机，未通知")
            return
