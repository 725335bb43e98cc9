"""Pure IoT rules: signatures, the topic scheme, what each alarm type means, de-duplication, device health.

No ORM and no clock here: times are passed in.

Topic scheme (MQTT): ``<prefix>/<device code>/events`` — one topic per device, the listener subscribes to
``<prefix>/+/events`` with QoS 1. The default prefix is ``shanzhi/iot``.

Signature: every message is a JSON object; its ``sig`` member is the hex HMAC-SHA256, keyed with the device's
secret, of the object's other members serialised canonically (keys sorted, no spaces, UTF-8; see
:func:`canonical_json`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shanzhi.sla.rules import Limit, TimeUnit, WorkCalendar, add_limit

DEFAULT_TOPIC_PREFIX = "shanzhi/iot"
SIGNATURE_FIELD = "sig"
MAX_PAYLOAD = 64 * 1024


def canonical_json(obj: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: the object without ``sig``, keys sorted, no spaces, UTF-8."""
    body = {k: v for k, v in obj.items() if k != SIGNATURE_FIELD}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, obj: Mapping[str, Any]) -> str:
    return hmac.new(secret.encode(), canonical_json(obj), hashlib.sha256).hexdigest()


def signed(secret: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` with its ``sig`` (what a device or a test publishes)."""
    return {**obj, SIGNATURE_FIELD: signature(secret, obj)}


def signature_valid(secret: str, obj: Mapping[str, Any]) -> bool:
    given = obj.get(SIGNATURE_FIELD)
    if not isinstance(given, str) or not secret:
        return False
    return hmac.compare_digest(given.lower(), signature(secret, obj))


def events_topic(device_code: str, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
    return f"{prefix}/{device_code}/events"


def subscription(prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
    return f"{prefix}/+/events"


def topic_device_code(topic: str, prefix: str = DEFAULT_TOPIC_PREFIX) -> str | None:
    """The device code in ``<prefix>/<code>/events``, or None for any other topic."""
    head = prefix.rstrip("/") + "/"
    if not topic.startswith(head) or not topic.endswith("/events"):
        return None
    code = topic[len(head) : -len("/events")]
    if not code or "/" in code or len(code) > 64:
        return None
    return code


# --- what an alarm means -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmPolicy:
    severity: str  # Severity
    urgency: str  # routing Urgency of the appeal
    window: dt.timedelta  # repeats within this of the last one join the open alarm
    creates_work: bool  # becomes an appeal at once
    label: str


ALARM_POLICIES: dict[str, AlarmPolicy] = {
    "fire": AlarmPolicy("critical", "emergency", dt.timedelta(minutes=30), True, "火警"),
    "smoke": AlarmPolicy("high", "emergency", dt.timedelta(minutes=15), True, "烟雾报警"),
    "gas": AlarmPolicy("critical", "emergency", dt.timedelta(minutes=30), True, "燃气泄漏"),
    "ebike": AlarmPolicy("medium", "urgent", dt.timedelta(minutes=10), True, "电动车进电梯"),
    "throwing": AlarmPolicy("high", "urgent", dt.timedelta(minutes=5), True, "高空抛物"),
    "water_pressure": AlarmPolicy("medium", "ordinary", dt.timedelta(hours=2), True, "消防水压异常"),
    "forced_door": AlarmPolicy("medium", "urgent", dt.timedelta(minutes=10), True, "门禁强行开启"),
    "tamper": AlarmPolicy("medium", "ordinary", dt.timedelta(hours=6), True, "设备被拆"),
    "fault": AlarmPolicy("low", "ordinary", dt.timedelta(hours=12), True, "设备故障"),
    "low_battery": AlarmPolicy("low", "ordinary", dt.timedelta(days=3), False, "电量低"),
}


def alarm_policy(alarm_type: str) -> AlarmPolicy:
    return ALARM_POLICIES[alarm_type]


@dataclass(frozen=True)
class OpenAlarm:
    id: int
    last_at: dt.datetime


@dataclass(frozen=True)
class Decision:
    join: int | None  # the open alarm this event joins, or None for a new alarm

    @property
    def is_new(self) -> bool:
        return self.join is None


def alarm_decision(*, open_alarms: Sequence[OpenAlarm], occurred_at: dt.datetime, window: dt.timedelta) -> Decision:
    """Join the open alarm of the same device and type whose last event is within ``window`` of this one (before or
    after: messages may arrive out of order); otherwise start a new alarm. Among several, the most recent."""
    best: OpenAlarm | None = None
    for alarm in open_alarms:
        if abs(occurred_at - alarm.last_at) <= window and (best is None or alarm.last_at > best.last_at):
            best = alarm
    return Decision(join=best.id if best else None)


# --- device health ------------------------------------------------------------------------------------------------

OFFLINE_AFTER = dt.timedelta(minutes=15)
LOW_BATTERY = 20

# How long each type may stay silent before it counts as offline: mains-powered devices keep a connection and send
# a heartbeat every minute or so; battery-powered NB-IoT smoke and gas detectors report once a day.
OFFLINE_AFTER_BY_TYPE: dict[str, dt.timedelta] = {
    "fire_panel": dt.timedelta(minutes=15),
    "smoke": dt.timedelta(hours=25),
    "ebike_lift": dt.timedelta(minutes=15),
    "throwing": dt.timedelta(minutes=15),
    "access_gate": dt.timedelta(minutes=30),
    "water_pressure": dt.timedelta(hours=2),
    "gas": dt.timedelta(hours=25),
}


def offline_after(device_type: str) -> dt.timedelta:
    """The silence after which a device of ``device_type`` is offline (15 minutes for a type not listed)."""
    return OFFLINE_AFTER_BY_TYPE.get(device_type, OFFLINE_AFTER)


def device_status(
    *, last_seen_at: dt.datetime | None, now: dt.datetime, offline_after: dt.timedelta = OFFLINE_AFTER
) -> str:
    """online / offline / unknown (never heard from); pass the type's :func:`offline_after`."""
    if last_seen_at is None:
        return "unknown"
    return "online" if now - last_seen_at <= offline_after else "offline"


def false_alarm_rate(*, confirmed: int, false: int) -> float | None:
    """Share of false alarms among the alarms checked (None when none was checked)."""
    checked = confirmed + false
    return None if checked == 0 else false / checked


def battery_low(level: int | None) -> bool:
    return level is not None and level <= LOW_BATTERY


# --- maintenance work orders (维保工单) -------------------------------------------------------------------------

# What raises a maintenance order (alarm types; "offline" comes from the sweep, "low_battery" also from a reported
# level at or below LOW_BATTERY).
MAINTENANCE_ALARMS = {"tamper": "tamper", "low_battery": "low_battery", "fault": "fault"}

# The maintainer's time limits, in the SLA's own terms (working time comes from the centre's calendar).
MAINTENANCE_LIMITS: dict[str, Limit] = {
    "tamper": Limit(Decimal(4), TimeUnit.WORKING_HOURS),
    "offline": Limit(Decimal(1), TimeUnit.WORKING_DAYS),
    "fault": Limit(Decimal(2), TimeUnit.WORKING_DAYS),
    "low_battery": Limit(Decimal(3), TimeUnit.WORKING_DAYS),
}


def maintenance_due_at(*, reason: str, opened_at: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """The deadline of a maintenance order opened at ``opened_at`` for ``reason``."""
    return add_limit(opened_at, MAINTENANCE_LIMITS[reason], calendar)


def maintenance_escalation(*, opened_at: dt.datetime, due_at: dt.datetime, now: dt.datetime) -> int:
    """0 within the limit; 1 once overdue (the device's grid and the centre are told); 2 once overdue by the whole
    limit again (the centre's leaders). Measured in clock time from the working-time deadline."""
    if now < due_at:
        return 0
    if now < due_at + (due_at - opened_at):
        return 1
    return 2


# --- the care rule for residents living alone (独居关爱) -------------------------------------------------------

CARE_QUIET_DAYS = (1, 30)  # the range a centre may set; 3 by default


def care_quiet_since(
    *, enrolled_at: dt.datetime, last_passage_at: dt.datetime | None, last_task_at: dt.datetime | None
) -> dt.datetime:
    """Since when the resident counts as unseen: the last entry or exit, but never before the consent (no history
    is judged) nor before the last visit task (one task per quiet spell)."""
    return max(t for t in (enrolled_at, last_passage_at, last_task_at) if t is not None)


def care_visit_due(
    *,
    now: dt.datetime,
    enrolled_at: dt.datetime,
    last_passage_at: dt.datetime | None,
    last_task_at: dt.datetime | None,
    quiet_days: int,
    has_open_task: bool = False,
) -> bool:
    """A visit task is due when no entry or exit has been seen for ``quiet_days`` whole days (and none is open)."""
    if has_open_task:
        return False
    since = care_quiet_since(enrolled_at=enrolled_at, last_passage_at=last_passage_at, last_task_at=last_task_at)
    return now - since >= dt.timedelta(days=quiet_days)
