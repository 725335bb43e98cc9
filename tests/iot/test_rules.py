import datetime as dt
import json
from pathlib import Path

import pytest

from shanzhi.iot import adapters, rules

SAMPLES = Path(__file__).parent / "samples"
T0 = dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)


def test_a_signed_message_verifies_and_any_change_breaks_it():
    body = rules.signed("k" * 64, {"id": "m1", "kind": "alarm", "alarm": "smoke", "ts": "2026-12-04T09:00:00+08:00"})
    assert rules.signature_valid("k" * 64, body)
    assert not rules.signature_valid("x" * 64, body)
    assert not rules.signature_valid("k" * 64, {**body, "alarm": "fire"})
    assert not rules.signature_valid("k" * 64, {k: v for k, v in body.items() if k != "sig"})
    # The order of members and whitespace do not matter: the canonical form is signed.
    reordered = json.loads(json.dumps(dict(reversed(list(body.items()))), indent=2))
    assert rules.signature_valid("k" * 64, reordered)


def test_the_topic_scheme():
    assert rules.events_topic("SD-1") == "shanzhi/iot/SD-1/events"
    assert rules.topic_device_code("shanzhi/iot/SD-1/events") == "SD-1"
    assert rules.topic_device_code("p/x/SD-1/events", "p/x") == "SD-1"
    for bad in ("shanzhi/iot/SD-1/status", "shanzhi/iot//events", "shanzhi/iot/a/b/events", "other/SD-1/events"):
        assert rules.topic_device_code(bad) is None


def test_repeats_within_the_window_join_the_open_alarm_and_later_ones_start_anew():
    window = dt.timedelta(minutes=10)
    open_alarms = [rules.OpenAlarm(1, T0), rules.OpenAlarm(2, T0 + dt.timedelta(minutes=30))]
    assert rules.alarm_decision(open_alarms=[], occurred_at=T0, window=window).is_new
    assert (
        rules.alarm_decision(open_alarms=open_alarms, occurred_at=T0 + dt.timedelta(minutes=9), window=window).join == 1
    )
    assert (
        rules.alarm_decision(open_alarms=open_alarms, occurred_at=T0 + dt.timedelta(minutes=35), window=window).join
        == 2
    )
    assert rules.alarm_decision(
        open_alarms=open_alarms, occurred_at=T0 + dt.timedelta(minutes=15), window=window
    ).is_new
    # Out of order (a message older than the alarm's last one) still joins.
    assert (
        rules.alarm_decision(open_alarms=open_alarms, occurred_at=T0 - dt.timedelta(minutes=5), window=window).join == 1
    )


def test_every_alarm_type_has_a_policy_and_fire_is_an_emergency():
    from shanzhi.iot.models import AlarmType

    assert set(rules.ALARM_POLICIES) == set(AlarmType.values)
    assert rules.alarm_policy("fire").urgency == "emergency"
    assert rules.alarm_policy("fire").severity == "critical"
    assert not rules.alarm_policy("low_battery").creates_work


def test_device_status_and_false_alarm_rate():
    assert rules.device_status(last_seen_at=None, now=T0) == "unknown"
    assert rules.device_status(last_seen_at=T0 - dt.timedelta(minutes=5), now=T0) == "online"
    assert rules.device_status(last_seen_at=T0 - dt.timedelta(hours=1), now=T0) == "offline"
    assert rules.false_alarm_rate(confirmed=0, false=0) is None
    assert rules.false_alarm_rate(confirmed=3, false=1) == 0.25


@pytest.mark.parametrize(
    ("fmt", "sample", "kind", "alarm_type", "message_id"),
    [
        ("generic", "generic_smoke_alarm.json", "alarm", "smoke", "SD-0001-000731"),
        ("generic", "generic_heartbeat.json", "heartbeat", "", "SD-0001-000732"),
        ("fire_panel", "fire_panel_fire.json", "alarm", "fire", "10241"),
        ("camera", "camera_ebike.json", "alarm", "ebike", "EVT20261204091500123"),
        ("access", "access_face_in.json", "access", "", "AC-101-88231"),
        ("access", "access_forced.json", "alarm", "forced_door", "AC-101-88232"),
    ],
)
def test_each_adapter_reads_its_recorded_sample(fmt, sample, kind, alarm_type, message_id):
    reading = adapters.reading_from(fmt, json.loads((SAMPLES / sample).read_text()))
    assert (reading.kind, reading.alarm_type, reading.message_id) == (kind, alarm_type, message_id)
    assert reading.occurred_at.tzinfo is not None


def test_the_access_adapter_keeps_no_person():
    reading = adapters.reading_from("access", json.loads((SAMPLES / "access_face_in.json").read_text()))
    assert reading.data == {"direction": "in", "open_type": "face"}
    assert "P-000233" not in json.dumps(reading.data)


def test_the_fire_panel_reading_names_the_detector():
    reading = adapters.reading_from("fire_panel", json.loads((SAMPLES / "fire_panel_fire.json").read_text()))
    assert reading.data == {"loop": 2, "point": 17, "zone": "3号楼2单元5层"}
    assert reading.occurred_at == dt.datetime.fromtimestamp(1764810723, tz=dt.UTC)


@pytest.mark.parametrize(
    ("fmt", "obj", "reason"),
    [
        (
            "generic",
            {"id": "1", "ts": "2026-12-04T09:00:00+08:00", "kind": "alarm", "alarm": "dragon"},
            "unknown alarm",
        ),
        ("generic", {"id": "1", "ts": "2026-12-04T09:00:00", "kind": "alarm", "alarm": "smoke"}, "without offset"),
        ("generic", {"ts": "2026-12-04T09:00:00+08:00", "kind": "heartbeat"}, "id"),
        ("generic", {"id": "1", "ts": "yesterday", "kind": "heartbeat"}, "ts"),
        ("generic", {"id": True, "ts": "2026-12-04T09:00:00+08:00", "kind": "heartbeat"}, "id"),
        ("fire_panel", {"msgNo": 1, "time": 1764810723, "eventType": "MELT"}, "eventType"),
        ("camera", {"eventId": "e", "eventTime": "2026-12-04T09:00:00+08:00", "algorithm": "UFO"}, "algorithm"),
        ("access", {"recordId": "r", "openTime": "2026-12-04T09:00:00+08:00", "openType": "FACE"}, "direction"),
        ("nonsense", {}, "adapter"),
    ],
)
def test_unreadable_messages_raise_a_payload_error_without_their_content(fmt, obj, reason):
    with pytest.raises(adapters.PayloadError) as caught:
        adapters.reading_from(fmt, obj)
    assert reason in str(caught.value)
    assert "2026-12-04" not in str(caught.value)
