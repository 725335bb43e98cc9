"""The MQTT listener: subscribes with QoS 1 in a persistent session, hands messages to
:func:`shanzhi.iot.services.messages_ingest` in batches, and acknowledges each message only after its batch has
committed.

Why nothing is lost and nothing doubled:
- the session is persistent (MQTT 5: ``clean_start=False`` with a session expiry of 30 days, the equivalent of
  3.1.1's ``clean_session=False``) under a fixed client id, so the broker keeps the subscription and queues QoS 1
  messages while the listener is down, and delivers them when it is back;
- acknowledgements are manual (paho's ``manual_ack``): a message is PUBACKed after the transaction that stored it
  committed; a listener killed before that gets it again (the broker resends unacknowledged messages on reconnect);
- a message that arrives twice (resent after a kill between commit and PUBACK, or sent twice by a device) is found by
  its (device, message id) key and counted as a duplicate.

Why MQTT 5: acknowledging after the commit keeps messages unacknowledged for a batch's time. Under 3.1.1 Mosquitto
sends at most ``max_inflight_messages`` (20) unacknowledged messages and queues the rest up to
``max_queued_messages`` (1,000), dropping beyond: a burst faster than the database was lost. Under MQTT 5 the
client's Receive Maximum (here 65,535, the most MQTT allows) sets that window, so a batch can be hundreds of
messages and a burst waits in the listener's memory, unacknowledged, instead of the broker's queue. While the
listener is down the broker still queues at most ``max_queued_messages`` for it: size that in the broker for the
longest outage you want to survive (docs/iot.md).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.db import DatabaseError, close_old_connections
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from prometheus_client import Counter, Histogram

from shanzhi.core import clock
from shanzhi.iot import rules, services

logger = logging.getLogger("shanzhi.iot.listener")

DEFAULT_CLIENT_ID = "shanzhi-iot-listener"
SESSION_EXPIRY = 30 * 24 * 3600  # seconds the broker keeps the session (and queues for it) while the listener is away

MESSAGES = Counter("shanzhi_iot_messages_total", "IoT messages taken by the listener, by outcome", ["outcome"])
BATCH_SECONDS = Histogram(
    "shanzhi_iot_batch_seconds", "Time to store one batch of IoT messages", buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
)


@dataclass(frozen=True)
class ListenerConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = DEFAULT_CLIENT_ID
    prefix: str = rules.DEFAULT_TOPIC_PREFIX
    username: str = ""
    password: str = ""
    batch_size: int = 500
    receive_maximum: int = 65535  # unacknowledged messages the broker may send at once (MQTT 5 Receive Maximum)
    batch_wait: float = 0.02  # after the first message, how long to wait for more
    keepalive: int = 30


@dataclass(frozen=True)
class _Message:
    mid: int
    qos: int
    incoming: services.Incoming


class Listener:
    def __init__(self, config: ListenerConfig, *, say: Callable[[str], None] = logger.info) -> None:
        self.config = config
        self.say = say
        self.inbox: queue.Queue[_Message] = queue.Queue()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=config.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if config.username:
            self.client.username_pw_set(config.username, config.password or None)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)

    # --- paho's network thread ---
    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: mqtt.ConnectFlags, reason_code: object, properties: object
    ) -> None:
        if getattr(reason_code, "is_failure", False):
            self.say(f"iot listener: connection refused ({reason_code})")
            return
        client.subscribe(rules.subscription(self.config.prefix), qos=1)
        self.connected.set()
        self.say(f"iot listener connected (session present: {bool(flags.session_present)})")

    def _on_disconnect(
        self, client: mqtt.Client, userdata: object, flags: object, reason_code: object, properties: object
    ) -> None:
        self.connected.clear()
        if not self.stopping.is_set():
            self.say(f"iot listener disconnected ({reason_code}); reconnecting")

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self.inbox.put(
            _Message(message.mid, message.qos, services.Incoming(message.topic, bytes(message.payload), clock.now()))
        )

    # --- the main thread ---
    def run(self) -> None:
        services.ingest_warm_up()
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY
        properties.ReceiveMaximum = max(self.config.receive_maximum, self.config.batch_size)
        self.client.connect_async(
            self.config.host,
            self.config.port,
            keepalive=self.config.keepalive,
            clean_start=False,
            properties=properties,
        )
        self.client.loop_start()
        try:
            while not self.stopping.is_set():
                batch = self._next_batch()
                if batch:
                    self._handle(batch)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            self.say("iot listener stopped")

    def stop(self) -> None:
        self.stopping.set()

    def _next_batch(self) -> list[_Message]:
        try:
            first = self.inbox.get(timeout=0.5)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.config.batch_wait
        while len(batch) < self.config.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self.inbox.get(timeout=max(remaining, 0)) if remaining > 0 else self.inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def _handle(self, batch: list[_Message]) -> None:
        started = time.monotonic()
        outcome = self._ingest_until_stored(batch)
        if outcome is None:  # stopping while the database is away: not acknowledged, the broker keeps them
            return
        for item in batch:
            if item.qos > 0:
                self.client.ack(item.mid, item.qos)
        BATCH_SECONDS.observe(time.monotonic() - started)
        MESSAGES.labels("stored").inc(outcome.stored)
        MESSAGES.labels("duplicate").inc(outcome.duplicates)
        for reason, count in outcome.rejected.items():
            MESSAGES.labels(reason).inc(count)
        if outcome.alarms_new or outcome.rejected:
            self.say(
                f"iot batch: {len(batch)} messages, {outcome.stored} stored, {outcome.duplicates} duplicates, "
                f"{sum(outcome.rejected.values())} rejected, {len(outcome.alarms_new)} new alarms, "
                f"{len(outcome.appeals)} appeals"
            )

    def _ingest_until_stored(self, batch: list[_Message]) -> services.IngestOutcome | None:
        """Store the batch; while the database is unreachable, wait and try again (nothing is acknowledged). A batch
        that fails for another reason is taken message by message, so one bad message cannot stall the stream."""
        delay = 0.5
        incoming = [m.incoming for m in batch]
        while True:
            try:
                return services.messages_ingest(incoming, prefix=self.config.prefix)
            except DatabaseError as error:
                if not _is_connection_error(error):
                    return self._one_by_one(incoming)
                logger.warning("iot listener: database unavailable (%s); retrying", type(error).__name__)
            except Exception:
                logger.exception("iot listener: batch failed; storing message by message")
                return self._one_by_one(incoming)
            close_old_connections()
            if self.stopping.wait(delay):
                return None
            delay = min(delay * 2, 10.0)

    def _one_by_one(self, incoming: list[services.Incoming]) -> services.IngestOutcome:
        total = services.IngestOutcome()
        for item in incoming:
            try:
                total.merge(services.messages_ingest([item], prefix=self.config.prefix))
            except Exception:
                # Logged without the payload; counted as refused so the stream goes on.
                logger.exception(
                    "iot listener: message failed (topic %s, %d bytes)", item.topic[:200], len(item.payload)
                )
                total.rejected["failed"] += 1
        return total


def _is_connection_error(error: DatabaseError) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(error, (OperationalError, InterfaceError))
