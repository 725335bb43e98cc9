"""The listener against the real Mosquitto broker on 127.0.0.1:1883, as a process of its own (``shanzhi
iot_listen``): N alarms published → N stored and the expected appeals; killed with SIGKILL mid-stream and restarted →
nothing lost, nothing doubled; bad messages never stop it."""

from __future__ import annotations

import json
import signal
import threading
import uuid

import pytest
from broker import Publisher, listener_start, log_count, session_remove, wait_for
from conftest import SECRET_A

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.iot import rules
from shanzhi.iot.models import Alarm, Device, DeviceEvent, RejectedMessage

pytestmark = pytest.mark.django_db(transaction=True)


def _devices(desk, count: int) -> list[Device]:
    grids = [desk.district.grid_a, desk.district.grid_b]
    return [
        Device.objects.create(
            code=f"SD-T-{i:03d}", name=f"测试烟感{i}", device_type="smoke", grid=grids[i % 2], secret=SECRET_A
        )
        for i in range(count)
    ]


def _alarm(device: Device, message_id: str, prefix: str, alarm: str = "smoke") -> tuple[str, bytes]:
    body = {"id": message_id, "ts": clock.now().isoformat(), "kind": "alarm", "alarm": alarm}
    return rules.events_topic(device.code, prefix), json.dumps(rules.signed(device.secret, body)).encode()


@pytest.fixture
def session(broker_prefix):
    client_id = f"test-iot-listener-{uuid.uuid4().hex[:8]}"
    yield client_id, broker_prefix
    session_remove(client_id)


def _stop(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except Exception:
            process.kill()
            process.wait(10)


def test_n_alarms_published_are_n_stored_and_make_the_expected_appeals(desk, session, tmp_path):
    client_id, prefix = session
    devices = _devices(desk, 30)
    log = tmp_path / "listener.log"
    process = listener_start(client_id=client_id, prefix=prefix, log=log, var_dir=tmp_path)
    publisher = Publisher(f"test-pub-{uuid.uuid4().hex[:8]}")
    try:
        assert wait_for(lambda: log_count(log, "iot listener connected") >= 1), log.read_text()
        # Each device raises one alarm, and a second one within its window: 60 events, 30 alarms, 30 appeals.
        messages = [_alarm(d, f"{d.code}-1", prefix) for d in devices] + [
            _alarm(d, f"{d.code}-2", prefix) for d in devices
        ]
        assert publisher.publish_all(messages) == 60
        assert wait_for(lambda: DeviceEvent.objects.count() >= 60), log.read_text()
        assert wait_for(lambda: Appeal.objects.count() >= 30), log.read_text()
    finally:
        publisher.close()
        _stop(process)
    assert DeviceEvent.objects.count() == 60
    assert Alarm.objects.count() == 30 and sorted(Alarm.objects.values_list("event_count", flat=True)) == [2] * 30
    assert Appeal.objects.filter(channel="iot").count() == 30
    assert set(Alarm.objects.values_list("appeal__area_id", flat=True)) == {
        desk.district.grid_a.pk,
        desk.district.grid_b.pk,
    }
    assert "iot listener stopped" in log.read_text()


def test_killed_mid_stream_and_restarted_nothing_is_lost_and_nothing_doubled(desk, session, tmp_path):
    client_id, prefix = session
    devices = _devices(desk, 20)
    per_device = 15
    messages = [_alarm(d, f"{d.code}-{n}", prefix) for n in range(per_device) for d in devices]
    total = len(messages)  # 300 events: 20 alarms (each device's repeats join its one open alarm), 20 appeals
    log = tmp_path / "listener.log"
    # Small batches, so that the kill lands between commits while the stream flows.
    small = ("--batch-size", "10", "--batch-wait", "0")
    first = listener_start(client_id=client_id, prefix=prefix, log=log, var_dir=tmp_path, extra=small)
    publisher = Publisher(f"test-pub-{uuid.uuid4().hex[:8]}")
    second = None
    try:
        assert wait_for(lambda: log_count(log, "iot listener connected") >= 1), log.read_text()
        published: list[int] = []
        stream = threading.Thread(target=lambda: published.append(publisher.publish_all(messages, pause=0.01)))
        stream.start()
        # Kill it while the stream is flowing: some stored, not all.
        assert wait_for(lambda: DeviceEvent.objects.count() >= total // 5, step=0.02), log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        stored_at_kill = DeviceEvent.objects.count()
        stream.join(120)
        assert published == [total]
        assert stored_at_kill < total  # the kill did land mid-stream
        second = listener_start(client_id=client_id, prefix=prefix, log=log, var_dir=tmp_path, extra=small)
        assert wait_for(lambda: log_count(log, "session present: True") >= 1), log.read_text()
        assert wait_for(lambda: DeviceEvent.objects.count() >= total), log.read_text()
        assert wait_for(lambda: Appeal.objects.count() >= len(devices)), log.read_text()
    finally:
        publisher.close()
        _stop(first)
        if second is not None:
            _stop(second)
    assert DeviceEvent.objects.count() == total
    assert Alarm.objects.count() == len(devices)
    assert sorted(Alarm.objects.values_list("event_count", flat=True)) == [per_device] * len(devices)
    assert Appeal.objects.count() == len(devices)
    assert Alarm.objects.filter(appeal=None).count() == 0


def test_bad_messages_are_counted_and_never_stop_the_listener(desk, session, tmp_path):
    client_id, prefix = session
    (device,) = _devices(desk, 1)
    log = tmp_path / "listener.log"
    process = listener_start(client_id=client_id, prefix=prefix, log=log, var_dir=tmp_path)
    publisher = Publisher(f"test-pub-{uuid.uuid4().hex[:8]}")
    try:
        assert wait_for(lambda: log_count(log, "iot listener connected") >= 1), log.read_text()
        topic = rules.events_topic(device.code, prefix)
        good_topic, good = _alarm(device, "ok-1", prefix)
        forged = {**json.loads(good), "alarm": "fire"}
        bad = [
            (topic, b"\x00\xff garbage"),
            (topic, b'{"id": "no-signature", "kind": "alarm"}'),
            (rules.events_topic("UNKNOWN-1", prefix), good),
            (topic, json.dumps(forged).encode()),
            (topic, b"x" * (rules.MAX_PAYLOAD + 1)),
        ]
        assert publisher.publish_all([*bad, (good_topic, good)]) == 6
        assert wait_for(lambda: DeviceEvent.objects.count() >= 1 and RejectedMessage.objects.count() >= 5), (
            log.read_text()
        )
    finally:
        publisher.close()
        _stop(process)
    counts = sorted(RejectedMessage.objects.values_list("reason", flat=True))
    assert counts == ["bad_signature", "bad_signature", "malformed", "malformed", "unknown_device"]
    assert Appeal.objects.count() == 1 and Alarm.objects.get().alarm_type == "smoke"
    assert process.returncode == 0 and "Traceback" not in log.read_text()
