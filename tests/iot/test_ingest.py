"""The batch ingest: events stored once, alarms de-duplicated, alarms becoming appeals in the device's grid, and
refused messages counted without creating work."""

import datetime as dt
import json
import logging

import pytest
from conftest import alarm_payload, incoming

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import clock
from shanzhi.iot import rules
from shanzhi.iot.models import Alarm, DeviceEvent, RejectedMessage
from shanzhi.iot.services import messages_ingest

pytestmark = pytest.mark.django_db


def test_n_alarms_of_n_devices_store_n_events_and_make_n_appeals_in_the_devices_grids(desk, devices):
    now = clock.now()
    batch = [
        incoming(devices["smoke_a"], alarm_payload(devices["smoke_a"], "m-1", at=now, alarm="smoke")),
        incoming(
            devices["camera_b"],
            json.dumps(
                rules.signed(
                    devices["camera_b"].secret,
                    {
                        "eventId": "E-1",
                        "eventTime": now.isoformat(),
                        "algorithm": "EBIKE_IN_ELEVATOR",
                        "confidence": 0.9,
                    },
                )
            ).encode(),
        ),
    ]
    outcome = messages_ingest(batch)
    assert (outcome.stored, outcome.duplicates, len(outcome.alarms_new), len(outcome.appeals)) == (2, 0, 2, 2)
    smoke = Alarm.objects.get(device=devices["smoke_a"])
    appeal = smoke.appeal
    assert appeal is not None and appeal.channel == "iot" and appeal.urgency == "emergency"
    assert appeal.area == desk.district.grid_a
    assert appeal.state == AppealState.DISPATCHED and appeal.lead_unit == desk.district.community_a
    assert "SD-A-001" in appeal.content
    ebike = Alarm.objects.get(device=devices["camera_b"])
    assert ebike.appeal.area == desk.district.grid_b and ebike.appeal.lead_unit == desk.district.community_b
    # The grid worker of grid A sees the smoke alarm's appeal and not grid B's.
    visible = set(appeals_visible_to(desk.grid_worker_a).values_list("pk", flat=True))
    assert appeal.pk in visible and ebike.appeal.pk not in visible


def test_a_redelivered_batch_changes_nothing(devices):
    now = clock.now()
    batch = [incoming(devices["smoke_a"], alarm_payload(devices["smoke_a"], f"m-{i}", at=now)) for i in range(3)]
    first = messages_ingest(batch)
    again = messages_ingest(batch)
    assert (first.stored, again.stored, again.duplicates) == (3, 0, 3)
    assert DeviceEvent.objects.count() == 3
    assert Alarm.objects.get().event_count == 3
    assert Appeal.objects.count() == 1


def test_a_message_twice_in_one_batch_is_stored_once(devices):
    one = incoming(devices["smoke_a"], alarm_payload(devices["smoke_a"], "m-1", at=clock.now()))
    outcome = messages_ingest([one, one])
    assert (outcome.stored, outcome.duplicates) == (1, 1)


def test_repeats_within_the_window_join_one_alarm_and_one_appeal_later_ones_are_new_work(devices):
    t0 = clock.now() - dt.timedelta(hours=2)
    device = devices["smoke_a"]
    window = rules.alarm_policy("smoke").window
    messages_ingest([incoming(device, alarm_payload(device, "m-1", at=t0))])
    messages_ingest([incoming(device, alarm_payload(device, "m-2", at=t0 + window / 2))])
    outcome = messages_ingest([incoming(device, alarm_payload(device, "m-3", at=t0 + window))])
    assert outcome.alarms_joined == 1 and not outcome.alarms_new
    assert Alarm.objects.count() == 1 and Alarm.objects.get().event_count == 3
    later = messages_ingest([incoming(device, alarm_payload(device, "m-4", at=t0 + window * 3))])
    assert len(later.alarms_new) == 1
    assert Alarm.objects.count() == 2 and Appeal.objects.count() == 2
    # Another type of the same device is another alarm.
    messages_ingest([incoming(device, alarm_payload(device, "m-5", at=t0 + window * 3, alarm="fire"))])
    assert Alarm.objects.filter(alarm_type="fire").count() == 1


def test_a_resolved_alarm_does_not_absorb_the_next_one(desk, devices):
    from shanzhi.iot.verdicts import alarm_resolve

    device, now = devices["smoke_a"], clock.now()
    messages_ingest([incoming(device, alarm_payload(device, "m-1", at=now))])
    alarm = Alarm.objects.get()
    alarm_resolve(actor=desk.grid_worker_a, alarm_id=alarm.pk, real=False, note="厨房油烟")
    messages_ingest([incoming(device, alarm_payload(device, "m-2", at=now + dt.timedelta(seconds=30)))])
    assert Alarm.objects.count() == 2


def test_low_battery_is_an_alarm_without_work_and_heartbeats_keep_the_device_online(devices):
    device, now = devices["smoke_a"], clock.now()
    heartbeat = json.dumps(
        rules.signed(device.secret, {"id": "h-1", "ts": now.isoformat(), "kind": "heartbeat", "battery": 15})
    ).encode()
    outcome = messages_ingest(
        [
            incoming(device, alarm_payload(device, "b-1", at=now, alarm="low_battery")),
            incoming(device, heartbeat),
        ]
    )
    assert outcome.stored == 2 and len(outcome.alarms_new) == 1 and not outcome.appeals
    device.refresh_from_db()
    assert device.status == "online" and device.battery == 15 and device.last_seen_at is not None
    assert Appeal.objects.count() == 0


def test_each_format_goes_through(devices):
    now = clock.now()
    panel, gate = devices["panel_a"], devices["gate_b"]
    batch = [
        incoming(
            panel,
            json.dumps(
                rules.signed(
                    panel.secret, {"msgNo": 7, "time": now.timestamp(), "eventType": "FIRE", "loop": 1, "point": 3}
                )
            ).encode(),
        ),
        incoming(
            gate,
            json.dumps(
                rules.signed(
                    gate.secret,
                    {
                        "recordId": "r-1",
                        "openTime": now.isoformat(),
                        "openType": "CARD",
                        "direction": "out",
                        "personId": "P-1",
                    },
                )
            ).encode(),
        ),
    ]
    outcome = messages_ingest(batch)
    assert outcome.stored == 2 and len(outcome.appeals) == 1
    assert Alarm.objects.get().alarm_type == "fire"
    access = DeviceEvent.objects.get(kind="access")
    assert access.data == {"direction": "out", "open_type": "card"}


def test_malformed_unknown_and_badly_signed_messages_are_counted_logged_and_make_no_work(devices, caplog):
    device, now = devices["smoke_a"], clock.now()
    good = alarm_payload(device, "m-ok", at=now)
    forged = json.loads(good)
    forged["alarm"] = "fire"
    batch = [
        incoming(device, b"\xff\xfe not json"),
        incoming(device, b"[1, 2, 3]"),
        incoming(device, json.dumps(rules.signed(device.secret, {"id": "x", "kind": "alarm"})).encode()),
        incoming("NO-SUCH-DEVICE", alarm_payload(device, "m-u", at=now)),
        incoming(device, json.dumps(forged).encode()),
        incoming(
            device,
            json.dumps(
                {
                    "id": "m-2",
                    "ts": now.isoformat(),
                    "kind": "alarm",
                    "alarm": "smoke",
                    "sig": "00" * 32,
                    "name": "张三 13800001234",
                }
            ).encode(),
        ),
        incoming(device, good),
    ]
    batch.append(type(batch[0])("not/our/topic", good, now))
    with caplog.at_level(logging.WARNING, logger="shanzhi.iot"):
        outcome = messages_ingest(batch)
    assert outcome.rejected == {"malformed": 4, "unknown_device": 1, "bad_signature": 2}
    assert outcome.stored == 1 and len(outcome.appeals) == 1
    assert Alarm.objects.get().alarm_type == "smoke"
    rows = list(RejectedMessage.objects.values_list("reason", flat=True))
    assert sorted(rows) == sorted(["malformed"] * 4 + ["unknown_device"] + ["bad_signature"] * 2)
    assert "13800001234" not in caplog.text and "张三" not in caplog.text
    assert all("13800001234" not in (r.detail + r.topic) for r in RejectedMessage.objects.all())


def test_an_inactive_device_is_refused(devices):
    device = devices["smoke_a"]
    device.is_active = False
    device.save()
    outcome = messages_ingest([incoming(device, alarm_payload(device, "m-1", at=clock.now()))])
    assert outcome.rejected == {"inactive_device": 1} and Appeal.objects.count() == 0
