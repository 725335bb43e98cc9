"""IoT use cases: taking a batch of device messages in (validate, de-duplicate, raise alarms, make work), registering
devices, and the offline sweep (the grid worker's verdict is in :mod:`shanzhi.iot.verdicts`).

:func:`messages_ingest` is what the MQTT listener (and the benchmark, and the webhook) calls with a batch. It never
raises for a bad message: malformed payloads, unknown devices and bad signatures are counted as
:class:`RejectedMessage` rows (reason and topic, never the content) and logged without the payload. Everything of a
batch is written in one transaction; the listener acknowledges the batch to the broker only after it committed, so a
crash in between means redelivery, and the (device, message id) key makes redelivery harmless.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.dispatching import draft_round
from shanzhi.appeals.intake import intake_draft
from shanzhi.appeals.intake_store import IntakeDraft, intake_write
from shanzhi.appeals.models import AppealType, Channel
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.iot import adapters, care, maintenance, rules
from shanzhi.iot.bulk_update import update_rows
from shanzhi.iot.models import (
    Alarm,
    AlarmState,
    AlarmType,
    Device,
    DeviceEvent,
    DeviceStatus,
    DeviceType,
    EventKind,
    PayloadFormat,
    RejectedMessage,
    RejectReason,
)
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.orgs.permissions import holds, in_subtree, sees_everything
from shanzhi.routing.services import routing_advice
from shanzhi.sla.services import deadlines_for

logger = logging.getLogger("shanzhi.iot")

IOT_ALARM_KEY = "iot-alarm-{}"


@dataclass(frozen=True)
class Incoming:
    """One message as the transport got it."""

    topic: str
    payload: bytes
    received_at: dt.datetime


@dataclass
class IngestOutcome:
    stored: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    alarms_new: list[int] = field(default_factory=list)
    alarms_joined: int = 0
    appeals: list[int] = field(default_factory=list)

    def merge(self, other: IngestOutcome) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.rejected.update(other.rejected)
        self.alarms_new += other.alarms_new
        self.alarms_joined += other.alarms_joined
        self.appeals += other.appeals


@dataclass(frozen=True)
class _Valid:
    device: Device
    reading: adapters.Reading
    received_at: dt.datetime


def _reject(
    rejects: list[RejectedMessage], incoming: Incoming, reason: str, *, device_code: str = "", detail: str = ""
) -> None:
    # The log line names the topic, the size and the reason: never the payload (it may hold personal data).
    logger.warning(
        "iot message rejected: %s", reason, extra={"topic": incoming.topic[:200], "size": len(incoming.payload)}
    )
    rejects.append(
        RejectedMessage(
            at=incoming.received_at,
            reason=reason,
            topic=incoming.topic[:200],
            device_code=device_code[:64],
            size=len(incoming.payload),
            detail=detail[:200],
        )
    )


def _validate(messages: Sequence[Incoming], prefix: str) -> tuple[list[_Valid], list[RejectedMessage]]:
    """Decode, find the device, check the signature and read the format; nothing is written."""
    decoded: list[tuple[Incoming, str, dict]] = []
    rejects: list[RejectedMessage] = []
    for incoming in messages:
        code = rules.topic_device_code(incoming.topic, prefix)
        if code is None:
            _reject(rejects, incoming, RejectReason.MALFORMED, detail="topic")
            continue
        if len(incoming.payload) > rules.MAX_PAYLOAD:
            _reject(rejects, incoming, RejectReason.MALFORMED, device_code=code, detail="too large")
            continue
        try:
            obj = json.loads(incoming.payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            _reject(rejects, incoming, RejectReason.MALFORMED, device_code=code, detail="not JSON")
            continue
        if not isinstance(obj, dict):
            _reject(rejects, incoming, RejectReason.MALFORMED, device_code=code, detail="not an object")
            continue
        decoded.append((incoming, code, obj))
    devices = Device.objects.select_related("grid").in_bulk({code for _, code, _ in decoded}, field_name="code")
    valid: list[_Valid] = []
    for incoming, code, obj in decoded:
        device = devices.get(code)
        if device is None:
            _reject(rejects, incoming, RejectReason.UNKNOWN_DEVICE, device_code=code)
            continue
        if not rules.signature_valid(device.secret, obj):
            _reject(rejects, incoming, RejectReason.BAD_SIGNATURE, device_code=code)
            continue
        if not device.is_active:
            _reject(rejects, incoming, RejectReason.INACTIVE_DEVICE, device_code=code)
            continue
        try:
            reading = adapters.reading_from(device.payload_format, obj)
        except adapters.PayloadError as error:
            _reject(rejects, incoming, RejectReason.MALFORMED, device_code=code, detail=str(error))
            continue
        valid.append(_Valid(device, reading, incoming.received_at))
    return valid, rejects


def messages_ingest(messages: Sequence[Incoming], *, prefix: str = rules.DEFAULT_TOPIC_PREFIX) -> IngestOutcome:
    """Take a batch in: one transaction for its events, alarms, appeals, device states and rejections."""
    outcome = IngestOutcome()
    valid, rejects = _validate(messages, prefix)
    outcome.rejected.update(r.reason for r in rejects)
    with transaction.atomic():
        if rejects:
            RejectedMessage.objects.bulk_create(rejects)
        if valid:
            # One ingest at a time per device (the listener, a webhook call): lock the batch's devices in a fixed
            # order, then look for what is stored already and for the open alarms.
            list(
                Device.objects.select_for_update()
                .filter(pk__in={v.device.pk for v in valid})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        fresh = _fresh(valid, outcome)
        if fresh:
            _store(fresh, outcome)
    return outcome


def _fresh(valid: list[_Valid], outcome: IngestOutcome) -> list[_Valid]:
    """The messages not stored before (a redelivery, a device that sent a message twice) nor twice in the batch."""
    if not valid:
        return []
    seen = set(
        DeviceEvent.objects.filter(
            device_id__in={v.device.pk for v in valid}, message_id__in={v.reading.message_id for v in valid}
        ).values_list("device_id", "message_id")
    )
    fresh = []
    for item in valid:
        key = (item.device.pk, item.reading.message_id)
        if key in seen:
            outcome.duplicates += 1
            continue
        seen.add(key)
        fresh.append(item)
    return fresh


def _store(fresh: list[_Valid], outcome: IngestOutcome) -> None:
    fresh.sort(key=lambda v: v.reading.occurred_at)
    alarms: dict[tuple[int, str], list[Alarm]] = _open_alarms(fresh)
    touched: dict[int, Alarm] = {}
    new_alarms: list[Alarm] = []
    events: list[DeviceEvent] = []
    event_alarms: list[Alarm | None] = []
    for item in fresh:
        reading = item.reading
        alarm: Alarm | None = None
        if reading.kind == EventKind.ALARM:
            alarm = _alarm_for(item, alarms.setdefault((item.device.pk, reading.alarm_type), []), new_alarms)
            if alarm.event_count > 1:
                outcome.alarms_joined += 1
            if alarm.pk is not None:
                touched[alarm.pk] = alarm
        # Ids, not instances: assigning a related instance asks the database routers, per row and field.
        events.append(
            DeviceEvent(
                device_id=item.device.pk,
                message_id=reading.message_id,
                kind=reading.kind,
                alarm_type=reading.alarm_type,
                occurred_at=reading.occurred_at,
                received_at=item.received_at,
                data=reading.data,
            )
        )
        event_alarms.append(alarm)
    if new_alarms:
        Alarm.objects.bulk_create(new_alarms)
        outcome.alarms_new = [a.pk for a in new_alarms]
        _alarms_to_work(new_alarms, outcome)
    if touched:
        update_rows(Alarm, ["last_at", "event_count"], list(touched.values()))
    for event, alarm in zip(events, event_alarms, strict=True):
        event.alarm_id = alarm.pk if alarm is not None else None
    DeviceEvent.objects.bulk_create(events)
    outcome.stored = len(events)
    _devices_seen(fresh)
    _health_and_care(fresh)


def _health_and_care(fresh: list[_Valid]) -> None:
    """Maintenance orders for tamper, fault and low battery; passages of residents under care (only those who
    opted in are looked up, by the keyed hash of the access system's person id, which is never stored raw)."""
    health = [
        (v.device, v.reading.kind, v.reading.alarm_type, _battery(v.reading.data.get("battery")))
        for v in fresh
        if v.reading.alarm_type in rules.MAINTENANCE_ALARMS
        or rules.battery_low(_battery(v.reading.data.get("battery")))
    ]
    if health:
        maintenance.readings_maintenance(health, at=clock.now())
    passages = [(v.reading.holder, v.reading.occurred_at) for v in fresh if v.reading.holder]
    if passages:
        care.passages_record(passages)


def _battery(value: object) -> int | None:
    return None if value is None else max(0, min(100, int(value)))  # type: ignore[call-overload]


def _open_alarms(fresh: list[_Valid]) -> dict[tuple[int, str], list[Alarm]]:
    earliest = fresh[0].reading.occurred_at - max(p.window for p in rules.ALARM_POLICIES.values())
    pairs = {(v.device.pk, v.reading.alarm_type) for v in fresh if v.reading.kind == EventKind.ALARM}
    if not pairs:
        return {}
    found: dict[tuple[int, str], list[Alarm]] = {}
    rows = Alarm.objects.select_for_update().filter(
        device_id__in={d for d, _ in pairs}, state=AlarmState.OPEN, last_at__gte=earliest
    )
    for alarm in rows:
        if (alarm.device_id, alarm.alarm_type) in pairs:
            found.setdefault((alarm.device_id, alarm.alarm_type), []).append(alarm)
    return found


def _alarm_for(item: _Valid, candidates: list[Alarm], new_alarms: list[Alarm]) -> Alarm:
    """Join the open alarm within the window, or start a new one (kept among the candidates for the batch)."""
    reading = item.reading
    policy = rules.alarm_policy(reading.alarm_type)
    by_key = {id(a): a for a in candidates}
    decision = rules.alarm_decision(
        open_alarms=[rules.OpenAlarm(id(a), a.last_at) for a in candidates],
        occurred_at=reading.occurred_at,
        window=policy.window,
    )
    if decision.join is not None:
        alarm = by_key[decision.join]
        alarm.event_count += 1
        alarm.last_at = max(alarm.last_at, reading.occurred_at)
        return alarm
    alarm = Alarm(
        device=item.device,
        alarm_type=reading.alarm_type,
        severity=policy.severity,
        state=AlarmState.OPEN,
        first_at=reading.occurred_at,
        last_at=reading.occurred_at,
        received_at=item.received_at,
        event_count=1,
    )
    candidates.append(alarm)
    new_alarms.append(alarm)
    return alarm


def _alarms_to_work(new_alarms: list[Alarm], outcome: IngestOutcome) -> None:
    """Each new alarm whose type makes work becomes an appeal (channel iot) in the device's grid, dispatched at once
    to the grid's community (a grid is never the lead; its grid worker sees the appeal by the area)."""
    drafts: list[tuple[Alarm, IntakeDraft]] = []
    for alarm in new_alarms:
        if not rules.alarm_policy(alarm.alarm_type).creates_work:
            continue
        drafts.append((alarm, alarm_draft(alarm)))
    if not drafts:
        return
    existing = intake_write([d for _, d in drafts], actor=None)
    for alarm, draft in drafts:
        appeal = existing.get(draft.appeal.idempotency_key or "", draft.appeal)
        alarm.appeal = appeal
        outcome.appeals.append(appeal.pk)
    update_rows(Alarm, ["appeal"], [a for a, _ in drafts])


def ingest_warm_up() -> None:
    """Load what the first alarm would otherwise load — the classifier's libraries and model, the routing snapshot,
    the SLA calendar — so that the first alarm after a start is not seconds late (the listener calls it once)."""
    routing_advice(text="物联感知告警：烟雾报警", area=None, channel=Channel.IOT)
    deadlines_for(category=None, urgency="emergency", start=clock.now())


def alarm_draft(alarm: Alarm) -> IntakeDraft:
    device = alarm.device
    policy = rules.alarm_policy(alarm.alarm_type)
    place = "，".join(p for p in (device.address, device.building) if p) or device.grid.name
    kind = DeviceType(device.device_type).label
    when = alarm.first_at.astimezone(clock.centre_tz())
    content = (
        f"物联感知告警：{AlarmType(alarm.alarm_type).label}。设备 {device.code}（{kind}，{device.name}），"
        f"位置：{place}，告警时间 {when:%Y-%m-%d %H:%M:%S}。"
        "请网格员立即到场核实，并在系统中确认属实或误报。"
    )
    at = clock.now()
    draft = intake_draft(
        actor=None,
        at=at,
        channel=Channel.IOT,
        content=content,
        title=f"【{policy.label}】{device.name}"[:120],
        appeal_type=AppealType.REPORT,
        urgency=policy.urgency,
        address=place[:200],
        area=device.grid,
        idempotency_key=IOT_ALARM_KEY.format(alarm.pk),
        external_ref=f"iot:{device.code}"[:64],
        wants_reply=False,
        is_anonymous=True,
        auto_dispatch=False,
    )
    lead = _lead_unit(device.grid)
    if lead is not None:
        draft.round = draft_round(
            appeal=draft.appeal,
            actor=None,
            at=at,
            lead_unit=lead,
            explanation=f"物联感知告警：设备所在网格 {device.grid.name}，由 {lead.name} 主办、网格员到场核实",
        )
        draft.events.append(draft.round.event)
    return draft


def _lead_unit(grid: Unit) -> Unit | None:
    """The grid's community (or the nearest active territorial unit above it)."""
    unit = grid.parent
    while unit is not None:
        if unit.is_active and not unit.is_virtual and unit.kind in (UnitKind.COMMUNITY, UnitKind.TOWN):
            return unit
        unit = unit.parent
    return None


SEEN_PRECISION = dt.timedelta(seconds=30)


def _devices_seen(fresh: list[_Valid]) -> None:
    """Every device that spoke is online; its last message time (to 30 s: a device heard from within that is not
    written again) and battery level are kept."""
    devices: dict[int, Device] = {}
    changed: set[int] = set()
    recovered: set[int] = set()
    for item in fresh:  # in order of occurrence: the last battery level wins
        device = devices.setdefault(item.device.pk, item.device)
        seen = min(item.reading.occurred_at, item.received_at)
        if device.last_seen_at is None or seen - device.last_seen_at >= SEEN_PRECISION:
            device.last_seen_at = seen
            changed.add(device.pk)
        if device.status != DeviceStatus.ONLINE:
            if device.status == DeviceStatus.OFFLINE:
                recovered.add(device.pk)
            device.status = DeviceStatus.ONLINE
            changed.add(device.pk)
        battery = item.reading.data.get("battery")
        if battery is not None and device.battery != (level := max(0, min(100, int(battery)))):
            device.battery = level
            changed.add(device.pk)
    update_rows(Device, ["last_seen_at", "status", "battery"], [devices[pk] for pk in sorted(changed)])
    if recovered:
        maintenance.devices_back_online(sorted(recovered), at=clock.now())


# --- devices ----------------------------------------------------------------------------------------------------


def may_manage_devices(user: User) -> bool:
    return holds(user, ("admin", "dispatcher", "leader"))


def device_register(
    *,
    actor: User,
    code: str,
    name: str,
    device_type: str,
    grid: Unit,
    payload_format: str = PayloadFormat.GENERIC,
    vendor: str = "",
    address: str = "",
    building: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    video_stream: str = "",
    secret: str = "",
) -> Device:
    """登记设备. Without a secret a new one is drawn (shown once to whoever configures the device)."""
    if not may_manage_devices(actor) or not (sees_everything(actor) or in_subtree(grid.path, unit=actor.unit)):
        raise PermissionDenied(_("您没有权限登记物联设备"), code="iot_may_not_register")
    code = code.strip()
    if not code or len(code) > 64 or "/" in code or "+" in code or "#" in code:
        raise ValidationFailed(_("设备编码无效（不能含 / + #，最多 64 字）"), code="iot_invalid_code")
    if device_type not in DeviceType.values:
        raise ValidationFailed(_("设备类型无效"), code="iot_invalid_type")
    if payload_format not in PayloadFormat.values:
        raise ValidationFailed(_("报文格式无效"), code="iot_invalid_format")
    if grid.kind != UnitKind.GRID:
        raise ValidationFailed(_("设备须登记在网格下"), code="iot_grid_required")
    if Device.objects.filter(code=code).exists():
        raise ValidationFailed(_("设备编码已存在"), code="iot_duplicate_code")
    return Device.objects.create(
        code=code,
        name=name.strip()[:120] or code,
        device_type=device_type,
        payload_format=payload_format,
        vendor=vendor[:60],
        grid=grid,
        address=address[:200],
        building=building[:80],
        longitude=longitude,
        latitude=latitude,
        video_stream=video_stream[:300],
        secret=secret or secrets.token_hex(32),
    )
