"""The iot part of the REST API ``/api/v1/``, added to the NinjaAPI in :mod:`shanzhi.api`.

Staff reads (devices, alarms) and the grid worker's verdict go through the viewer's scope like the console; the
webhook ``POST /api/v1/iot/devices/{code}/events`` is for gateways that post instead of publishing over MQTT: no
API key, the body is signed with the device's secret exactly like an MQTT message (one object, or an array of
objects for a batch), and it goes through the same ingest.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from pydantic import BaseModel, Field

from shanzhi.appeals.api_schemas import ErrorOut
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.iot import rules, selectors, services, verdicts
from shanzhi.iot.models import Alarm, Device
from shanzhi.orgs.models import User

router = Router(tags=["iot"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_BATCH = 500


class DeviceOut(BaseModel):
    code: str
    name: str
    device_type: str
    payload_format: str
    grid_code: str
    grid_name: str
    address: str
    building: str
    longitude: float | None
    latitude: float | None
    video_stream: str
    status: str
    last_seen_at: dt.datetime | None
    battery: int | None
    topic: str


class AlarmOut(BaseModel):
    id: int
    device_code: str
    alarm_type: str
    severity: str
    state: str
    first_at: dt.datetime
    last_at: dt.datetime
    event_count: int
    grid_code: str
    appeal_tracking_no: str | None
    resolved_at: dt.datetime | None
    note: str


class ResolveIn(BaseModel):
    real: bool
    note: str = Field("", max_length=300)


class IngestOut(BaseModel):
    stored: int
    duplicates: int
    rejected: dict[str, int]
    alarms_new: int
    appeals: int


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _device(device: Device) -> dict[str, Any]:
    return {
        "code": device.code,
        "name": device.name,
        "device_type": device.device_type,
        "payload_format": device.payload_format,
        "grid_code": device.grid.code,
        "grid_name": device.grid.name,
        "address": device.address,
        "building": device.building,
        "longitude": device.longitude,
        "latitude": device.latitude,
        "video_stream": device.video_stream,
        "status": device.status,
        "last_seen_at": device.last_seen_at,
        "battery": device.battery,
        "topic": rules.events_topic(device.code),
    }


def _alarm(alarm: Alarm) -> dict[str, Any]:
    return {
        "id": alarm.pk,
        "device_code": alarm.device.code,
        "alarm_type": alarm.alarm_type,
        "severity": alarm.severity,
        "state": alarm.state,
        "first_at": alarm.first_at,
        "last_at": alarm.last_at,
        "event_count": alarm.event_count,
        "grid_code": alarm.device.grid.code,
        "appeal_tracking_no": alarm.appeal.tracking_no if alarm.appeal else None,
        "resolved_at": alarm.resolved_at,
        "note": alarm.note,
    }


@router.get("/devices", response={200: list[DeviceOut], **ERRORS}, summary="物联设备（本单位辖区）")
def device_list(
    request: HttpRequest,
    grid: str | None = Query(None, max_length=32),
    status: str | None = Query(None, max_length=10),
    limit: int = Query(200, ge=1, le=1000),
) -> list[dict[str, Any]]:
    qs = selectors.devices_visible_to(_actor(request)).order_by("code")
    if grid:
        qs = qs.filter(grid__code=grid)
    if status:
        qs = qs.filter(status=status)
    return [_device(d) for d in qs[:limit]]


@router.get("/devices/{code}", response={200: DeviceOut, **ERRORS}, summary="查看设备")
def device_read(request: HttpRequest, code: str) -> dict[str, Any]:
    return _device(selectors.device_get(user=_actor(request), code=code))


@router.get("/alarms", response={200: list[AlarmOut], **ERRORS}, summary="告警列表（本单位辖区）")
def alarm_list(
    request: HttpRequest,
    state: str | None = Query(None, max_length=10),
    grid: str | None = Query(None, max_length=32),
    device: str | None = Query(None, max_length=64),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    qs = selectors.alarms_list(user=_actor(request), state=state, grid_code=grid, device_code=device)
    return [_alarm(a) for a in qs[:limit]]


@router.get("/alarms/{alarm_id}", response={200: AlarmOut, **ERRORS}, summary="查看告警")
def alarm_read(request: HttpRequest, alarm_id: int) -> dict[str, Any]:
    return _alarm(selectors.alarm_get(user=_actor(request), alarm_id=alarm_id))


@router.post("/alarms/{alarm_id}/resolve", response={200: AlarmOut, **ERRORS}, summary="核实告警：属实或误报")
def alarm_resolve(request: HttpRequest, alarm_id: int, body: ResolveIn) -> dict[str, Any]:
    verdicts.alarm_resolve(actor=_actor(request), alarm_id=alarm_id, real=body.real, note=body.note)
    return _alarm(selectors.alarm_get(user=_actor(request), alarm_id=alarm_id))


@router.post(
    "/devices/{code}/events",
    auth=None,
    response={200: IngestOut, **ERRORS},
    summary="设备网关推送消息（HMAC 签名，单条或数组）",
)
def device_events_post(request: HttpRequest, code: str) -> dict[str, Any]:
    """The body is signed per object with the device's secret (``sig``, see :mod:`shanzhi.iot.rules`)."""
    if len(request.body) > rules.MAX_PAYLOAD * 16:
        raise ValidationFailed(_("消息过大"), code="iot_payload_too_large")
    try:
        parsed = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    items = parsed if isinstance(parsed, list) else [parsed]
    if parsed is None or len(items) > MAX_BATCH:
        # Counted like any malformed message, through the same ingest.
        payloads = [request.body[: rules.MAX_PAYLOAD + 1]]
    else:
        payloads = [json.dumps(item, ensure_ascii=False).encode() for item in items]
    topic = rules.events_topic(code)
    now = clock.now()
    outcome = services.messages_ingest([services.Incoming(topic, p, now) for p in payloads])
    if outcome.rejected and not (outcome.stored or outcome.duplicates):
        if {"unknown_device", "bad_signature", "inactive_device"} & set(outcome.rejected):
            # The same answer whether the device is unknown or the signature wrong: no hint which devices exist.
            raise PermissionDenied(_("设备未登记或签名无效"), code="iot_bad_signature")
        raise ValidationFailed(_("消息格式无法识别"), code="iot_malformed")
    return {
        "stored": outcome.stored,
        "duplicates": outcome.duplicates,
        "rejected": dict(outcome.rejected),
        "alarms_new": len(outcome.alarms_new),
        "appeals": len(outcome.appeals),
    }
