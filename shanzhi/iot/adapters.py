"""One adapter per payload format: a device's JSON object → a :class:`Reading` (pure, no ORM).

Recorded samples of each format are in ``tests/iot/samples/``. Every adapter raises :class:`PayloadError` (with a
short reason that holds no content of the message) on anything it cannot read; nothing of a message that holds
personal data (an access record's person, a camera's snapshot) is kept beyond what the rules need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shanzhi.iot.rules import ALARM_POLICIES


class PayloadError(ValueError):
    """The message cannot be read; ``str(error)`` is a reason safe to log."""


@dataclass(frozen=True)
class Reading:
    message_id: str
    kind: str  # EventKind
    occurred_at: dt.datetime
    alarm_type: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # The access system's person id of a passage: used only to recognise residents under care (as a keyed hash),
    # never stored, never logged.
    holder: str = field(default="", repr=False)


def _text(obj: Mapping[str, Any], key: str, *, max_length: int = 64) -> str:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadError(f"missing or invalid {key}")
    text = str(value).strip()
    if not text or len(text) > max_length:
        raise PayloadError(f"missing or invalid {key}")
    return text


def _time(value: Any, key: str) -> dt.datetime:
    """An ISO 8601 time with offset, or Unix seconds."""
    if isinstance(value, bool):
        raise PayloadError(f"invalid {key}")
    if isinstance(value, (int, float)):
        try:
            return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise PayloadError(f"invalid {key}") from error
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise PayloadError(f"invalid {key}") from error
        if parsed.tzinfo is None:
            raise PayloadError(f"{key} without offset")
        return parsed
    raise PayloadError(f"missing or invalid {key}")


def _number(obj: Mapping[str, Any], key: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError(f"invalid {key}")
    return float(value)


def generic(obj: Mapping[str, Any]) -> Reading:
    """``{"id": "m-1", "ts": "2026-12-04T09:00:00+08:00", "kind": "alarm", "alarm": "smoke", "value": 0.31,
    "battery": 87}`` — kind is alarm, heartbeat or restore; alarm one of the alarm types."""
    kind = _text(obj, "kind", max_length=16)
    if kind not in ("alarm", "heartbeat", "restore"):
        raise PayloadError("unknown kind")
    alarm_type = ""
    if kind in ("alarm", "restore"):
        alarm_type = _text(obj, "alarm", max_length=16)
        if alarm_type not in ALARM_POLICIES:
            raise PayloadError("unknown alarm type")
    data: dict[str, Any] = {}
    for key in ("value", "battery"):
        number = _number(obj, key)
        if number is not None:
            data[key] = number
    return Reading(_text(obj, "id"), kind, _time(obj.get("ts"), "ts"), alarm_type, data)


FIRE_PANEL_EVENTS = {
    "FIRE": ("alarm", "fire"),
    "FAULT": ("alarm", "fault"),
    "RESET": ("restore", "fire"),
    "HEARTBEAT": ("heartbeat", ""),
}


def fire_panel(obj: Mapping[str, Any]) -> Reading:
    """A fire alarm panel's gateway: ``{"msgNo": 1024, "time": 1764810000, "eventType": "FIRE", "loop": 2,
    "point": 17, "zone": "3号楼2单元"}`` (loop and point name the detector on the panel)."""
    event = _text(obj, "eventType", max_length=16).upper()
    if event not in FIRE_PANEL_EVENTS:
        raise PayloadError("unknown eventType")
    kind, alarm_type = FIRE_PANEL_EVENTS[event]
    data: dict[str, Any] = {}
    for key in ("loop", "point"):
        number = _number(obj, key)
        if number is not None:
            data[key] = int(number)
    zone = obj.get("zone")
    if isinstance(zone, str) and zone:
        data["zone"] = zone[:60]
    return Reading(_text(obj, "msgNo"), kind, _time(obj.get("time"), "time"), alarm_type, data)


CAMERA_ALGORITHMS = {"EBIKE_IN_ELEVATOR": "ebike", "HIGH_ALTITUDE_THROWING": "throwing", "SMOKE_FIRE": "fire"}


def camera(obj: Mapping[str, Any]) -> Reading:
    """A video analytics platform: ``{"eventId": "…", "eventTime": "…", "algorithm": "EBIKE_IN_ELEVATOR",
    "channelId": "…", "confidence": 0.93, "snapshotUrl": "…"}``; ``"algorithm": "KEEPALIVE"`` is a heartbeat.
    The snapshot's address is kept (the picture stays on the video platform); faces are never in the message."""
    algorithm = _text(obj, "algorithm", max_length=40).upper()
    occurred = _time(obj.get("eventTime"), "eventTime")
    message_id = _text(obj, "eventId")
    if algorithm == "KEEPALIVE":
        return Reading(message_id, "heartbeat", occurred)
    if algorithm not in CAMERA_ALGORITHMS:
        raise PayloadError("unknown algorithm")
    data: dict[str, Any] = {}
    confidence = _number(obj, "confidence")
    if confidence is not None:
        data["confidence"] = confidence
    for key in ("channelId", "snapshotUrl"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            data[key] = value[:300]
    return Reading(message_id, "alarm", occurred, CAMERA_ALGORITHMS[algorithm], data)


ACCESS_TYPES = {"CARD", "FACE", "QRCODE", "PASSWORD", "REMOTE"}


def access(obj: Mapping[str, Any]) -> Reading:
    """An access-control gate: ``{"recordId": "…", "openTime": "…", "openType": "FACE", "direction": "in",
    "personId": "…"}``; ``openType`` FORCED is a forced door (an alarm), HEARTBEAT a heartbeat. The person is not
    kept (personal data): only the direction and the way the door opened; ``personId`` rides along in
    ``Reading.holder`` for the care rule only."""
    open_type = _text(obj, "openType", max_length=16).upper()
    occurred = _time(obj.get("openTime"), "openTime")
    message_id = _text(obj, "recordId")
    if open_type == "HEARTBEAT":
        return Reading(message_id, "heartbeat", occurred)
    if open_type == "FORCED":
        return Reading(message_id, "alarm", occurred, "forced_door")
    if open_type not in ACCESS_TYPES:
        raise PayloadError("unknown openType")
    direction = obj.get("direction")
    if direction not in ("in", "out"):
        raise PayloadError("invalid direction")
    person = obj.get("personId")
    holder = person.strip()[:64] if isinstance(person, str) else ""
    return Reading(
        message_id, "access", occurred, "", {"direction": direction, "open_type": open_type.lower()}, holder=holder
    )


ADAPTERS: dict[str, Callable[[Mapping[str, Any]], Reading]] = {
    "generic": generic,
    "fire_panel": fire_panel,
    "camera": camera,
    "access": access,
}


def reading_from(payload_format: str, obj: Mapping[str, Any]) -> Reading:
    adapter = ADAPTERS.get(payload_format)
    if adapter is None:
        raise PayloadError("no adapter for the device's format")
    return adapter(obj)
