#!/usr/bin/env python
"""IoT ingest: events per second through one ``shanzhi iot_listen`` into the database, beside the rate at which a
bare paho subscriber receives the same stream in the same run; then the alarm-to-appeal latency.

    .venv/bin/python benchmarks/iot.py                       # 200 devices, 10,000 messages, 200 timed alarms
    .venv/bin/python benchmarks/iot.py --messages 20000 --latency-alarms 500

Phase 1 (throughput): the listener and a bare subscriber (MQTT 5 like the listener, QoS 1, the same Receive
Maximum, automatic acknowledgement; it counts and discards)
are both subscribed; the benchmark publishes the messages (QoS 1) as fast as the broker takes them — per device one
alarm and then heartbeats and repeats of the alarm, so a few hundred appeals are made and the rest is de-duplicated.
The clock starts at the first publish and stops when the last message is stored (polled in the database) or, for
the bare subscriber, received.

Phase 2 (latency): alarms of devices that have none open, published one at a time at a steady pace; the latency is
from the publish to the moment the appeal is visible in the database (polled every 2 ms from another connection),
i.e. it includes the broker, the listener's batching wait, the commit and the poll.

Needs the Mosquitto broker on 127.0.0.1:1883; creates and drops its own PostgreSQL database on 127.0.0.1 (BENCH_PG,
default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _common import ROOT, bench_database, django_setup, load_district, percentiles

BARE_SUBSCRIBER = r"""
import json, sys, time
import paho.mqtt.client as mqtt
topic, expected = sys.argv[1], int(sys.argv[2])
state = {"n": 0, "first": None, "last": None}
def on_message(client, userdata, message):
    now = time.time()
    state["n"] += 1
    state["first"] = state["first"] or now
    state["last"] = now
def on_connect(client, userdata, flags, reason_code, properties):
    client.subscribe(topic, qos=1)
    print("ready", flush=True)
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id="", protocol=mqtt.MQTTv5)
client.on_message, client.on_connect = on_message, on_connect
properties = Properties(PacketTypes.CONNECT)
properties.ReceiveMaximum = 65535  # the listener's window: the same for both
client.connect("127.0.0.1", 1883, clean_start=True, properties=properties)
client.loop_start()
deadline = time.time() + 600
while state["n"] < expected and time.time() < deadline:
    time.sleep(0.01)
client.loop_stop()
print(json.dumps(state), flush=True)
"""


def devices_create(count: int, grids: list) -> list:  # type: ignore[type-arg]
    from shanzhi.iot.models import Device

    return Device.objects.bulk_create(
        [
            Device(
                code=f"BENCH-{i:05d}",
                name=f"压测烟感{i}",
                device_type="smoke",
                grid=grids[i % len(grids)],
                secret=f"{i:064x}",
            )
            for i in range(count)
        ]
    )


def stream(devices: list, messages: int, prefix: str) -> list[tuple[str, bytes]]:  # type: ignore[type-arg]
    """Per device: an alarm first, then heartbeats and repeats of the alarm in turn."""
    from shanzhi.core import clock
    from shanzhi.iot import rules

    now = clock.now().isoformat()
    out = []
    for n in range(messages):
        device = devices[n % len(devices)]
        round_ = n // len(devices)
        if round_ == 0 or round_ % 2 == 1:
            body = {"id": f"{device.code}-{round_}", "ts": now, "kind": "alarm", "alarm": "smoke"}
        else:
            body = {"id": f"{device.code}-{round_}", "ts": now, "kind": "heartbeat", "battery": 90}
        out.append((rules.events_topic(device.code, prefix), json.dumps(rules.signed(device.secret, body)).encode()))
    return out


def publisher():  # type: ignore[no-untyped-def]
    import paho.mqtt.client as mqtt

    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}"
    )
    client.max_inflight_messages_set(200)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    return client


def wait_log(log: Path, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise SystemExit(f"listener did not say {text!r}:\n{log.read_text()}")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--latency-alarms", type=int, default=200)
    parser.add_argument("--latency-pace", type=float, default=0.05, help="seconds between timed alarms")
    args = parser.parse_args()

    with bench_database("bench_iot") as url:
        django_setup(url)
        from django.db import connection

        from shanzhi.appeals.models import Appeal
        from shanzhi.core import clock
        from shanzhi.iot import rules
        from shanzhi.iot.models import Alarm, Device, DeviceEvent

        district = load_district()
        devices = devices_create(args.devices, district["grids"])
        latency_devices = devices_create_offset(args.latency_alarms, district["grids"], Device)
        prefix = f"bench-{uuid.uuid4().hex[:8]}/iot"
        client_id = f"bench-iot-listener-{uuid.uuid4().hex[:6]}"
        messages = stream(devices, args.messages, prefix)

        tmp = Path(tempfile.mkdtemp(prefix="bench-iot-"))
        log = tmp / "listener.log"
        env = {**os.environ, "DATABASE_URL": url, "SHANZHI_VAR_DIR": str(tmp), "PYTHONUNBUFFERED": "1", "DEBUG": "0"}
        listener = subprocess.Popen(
            [sys.executable, "-m", "shanzhi.cli", "iot_listen", "--client-id", client_id, "--prefix", prefix],
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        bare = subprocess.Popen(
            [sys.executable, "-c", BARE_SUBSCRIBER, rules.subscription(prefix), str(len(messages))],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            wait_log(log, "iot listener connected")
            assert bare.stdout is not None
            if bare.stdout.readline().strip() != "ready":
                raise SystemExit("bare subscriber did not start")
            pub = publisher()

            # --- phase 1: throughput ---
            started = time.time()
            infos = [pub.publish(topic, payload, qos=1) for topic, payload in messages]
            for info in infos:
                info.wait_for_publish(timeout=120)
            published = time.time()
            while DeviceEvent.objects.count() < len(messages):
                if time.time() - started > 600:
                    raise SystemExit(f"listener stored {DeviceEvent.objects.count()} of {len(messages)}")
                time.sleep(0.02)
            stored = time.time()
            bare_out, _ = bare.communicate(timeout=600)
            bare_state = json.loads(bare_out.strip().splitlines()[-1])
            appeals_phase1 = Appeal.objects.count()

            # --- phase 2: alarm-to-appeal latency ---
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            stop = threading.Event()

            def poll() -> None:
                from django.db import connection as thread_connection

                while not stop.is_set():
                    for code in Alarm.objects.filter(device__code__startswith="LAT-", appeal__isnull=False).values_list(
                        "device__code", flat=True
                    ):
                        seen.setdefault(code, time.time())
                    time.sleep(0.002)
                thread_connection.close()

            poller = threading.Thread(target=poll)
            poller.start()
            for device in latency_devices:
                body = {"id": f"{device.code}-1", "ts": clock.now().isoformat(), "kind": "alarm", "alarm": "fire"}
                payload = json.dumps(rules.signed(device.secret, body)).encode()
                sent[device.code] = time.time()
                pub.publish(rules.events_topic(device.code, prefix), payload, qos=1)
                time.sleep(args.latency_pace)
            deadline = time.time() + 60
            while len(seen) < len(latency_devices) and time.time() < deadline:
                time.sleep(0.01)
            stop.set()
            poller.join()
            pub.disconnect()
            pub.loop_stop()
        finally:
            listener.terminate()
            listener.wait(30)
            if bare.poll() is None:
                bare.kill()
            _session_remove(client_id)
        latencies = [seen[c] - sent[c] for c in sent if c in seen]
        listener_rate = len(messages) / (stored - started)
        bare_rate = bare_state["n"] / (bare_state["last"] - started)
        publish_rate = len(messages) / (published - started)
        lat = percentiles(latencies)
        print(f"database: {connection.vendor}; {args.devices} devices, {len(messages)} messages")
        print(f"published (QoS 1, acknowledged by the broker): {publish_rate:,.0f}/s")
        print(f"bare paho subscriber received:                 {bare_rate:,.0f}/s ({bare_state['n']} messages)")
        print(
            f"listener stored in the database:               {listener_rate:,.0f}/s "
            f"({listener_rate / bare_rate:.0%} of the bare subscriber)"
        )
        print(f"appeals made in phase 1: {appeals_phase1} (one per device's first alarm; the repeats joined it)")
        print(
            f"alarm-to-appeal latency over {len(latencies)} alarms (of {len(sent)}): p50 {lat['p50']:.1f} ms, "
            f"p95 {lat['p95']:.1f} ms, p99 {lat['p99']:.1f} ms, max {lat['max']:.1f} ms"
        )


def devices_create_offset(count: int, grids: list, model):  # type: ignore[no-untyped-def]
    return model.objects.bulk_create(
        [
            model(
                code=f"LAT-{i:05d}",
                name=f"时延测试{i}",
                device_type="fire_panel",
                grid=grids[i % len(grids)],
                secret=f"{i + 7:064x}",
            )
            for i in range(count)
        ]
    )


def _session_remove(client_id: str) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    time.sleep(0.2)
    client.disconnect()
    client.loop_stop()


if __name__ == "__main__":
    main()
