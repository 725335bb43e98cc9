"""``shanzhi iot_listen``: the MQTT listener of IoT sensing (see :mod:`shanzhi.iot.listener`).

Subscribes to ``<prefix>/+/events`` with QoS 1 in a persistent session under a fixed client id, so a restarted
listener gets what was published while it was down. Stops cleanly on SIGTERM or Ctrl-C (the batch in hand is stored
and acknowledged first).
"""

from __future__ import annotations

import os
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.iot import rules
from shanzhi.iot.listener import DEFAULT_CLIENT_ID, Listener, ListenerConfig


class Command(BaseCommand):
    help = "物联感知：订阅 MQTT 设备消息（QoS 1，持久会话），校验后批量入库，告警转为工单"

    def add_arguments(self, parser: CommandParser) -> None:
        env = os.environ.get
        parser.add_argument("--host", default=env("SHANZHI_MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(env("SHANZHI_MQTT_PORT", "1883")))
        parser.add_argument("--client-id", default=env("SHANZHI_MQTT_CLIENT_ID", DEFAULT_CLIENT_ID))
        parser.add_argument("--prefix", default=env("SHANZHI_MQTT_PREFIX", rules.DEFAULT_TOPIC_PREFIX))
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--receive-maximum", type=int, default=65535, help="MQTT 5 Receive Maximum：未确认消息的最大数量"
        )
        parser.add_argument("--batch-wait", type=float, default=0.02, help="首条消息后等待更多消息的秒数")
        parser.add_argument("--metrics-port", type=int, default=0, help="在此端口提供 Prometheus 指标（0 表示不提供）")

    def handle(self, *args: Any, **options: Any) -> None:
        config = ListenerConfig(
            host=options["host"],
            port=options["port"],
            client_id=options["client_id"],
            prefix=options["prefix"].rstrip("/"),
            username=os.environ.get("SHANZHI_MQTT_USERNAME", ""),
            password=os.environ.get("SHANZHI_MQTT_PASSWORD", ""),
            batch_size=max(1, options["batch_size"]),
            batch_wait=max(0.0, options["batch_wait"]),
            receive_maximum=max(1, min(65535, options["receive_maximum"])),
        )
        if options["metrics_port"]:
            from prometheus_client import start_http_server

            start_http_server(options["metrics_port"], addr="127.0.0.1")

        def say(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        listener = Listener(config, say=say)
        signal.signal(signal.SIGTERM, lambda *_: listener.stop())
        signal.signal(signal.SIGINT, lambda *_: listener.stop())
        say(
            f"iot listener starting: {config.host}:{config.port} client {config.client_id} topic "
            f"{rules.subscription(config.prefix)}"
        )
        listener.run()
