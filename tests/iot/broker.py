"""Helpers for tests and the benchmark that talk to the real broker: a publisher, the listener as a process, and
removing a persistent session afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import connection

HOST, PORT = "127.0.0.1", 1883


def database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def listener_start(
    *, client_id: str, prefix: str, log: Path, var_dir: Path, extra: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url(), "SHANZHI_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "shanzhi.cli", "iot_listen", "--client-id", client_id, "--prefix", prefix, *extra],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def log_count(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0


class Publisher:
    """A QoS 1 publisher: every publish is confirmed by the broker (PUBACK) before :meth:`publish_all` returns."""

    def __init__(self, client_id: str) -> None:
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311
        )
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(0)
        self.client.connect(HOST, PORT, keepalive=30)
        self.client.loop_start()

    def publish_all(self, messages: Iterable[tuple[str, bytes]], *, pause: float = 0.0) -> int:
        infos = []
        for topic, payload in messages:
            infos.append(self.client.publish(topic, payload, qos=1))
            if pause:
                time.sleep(pause)
        for info in infos:
            info.wait_for_publish(timeout=30)
        return sum(1 for info in infos if info.is_published())

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def session_remove(client_id: str) -> None:
    """Connect once with a clean session under ``client_id``: the broker drops what it kept for it."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    client.connect(HOST, PORT, keepalive=10, clean_start=True, properties=properties)
    client.loop_start()
    time.sleep(0.2)
    client.disconnect()
    client.loop_stop()
