"""``shanzhi exchange simulate|deliver|poll``: play the city for a demo, send the outbox now, poll the city now."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core import clock
from shanzhi.exchange import services
from shanzhi.exchange.adapters import city_secret
from shanzhi.exchange.delivery import deliveries_send
from shanzhi.exchange.simulator import CitySimulator

DEMO_ORDERS = [
    ("路灯不亮", "和平社区门口路灯不亮已经一周，晚上出行不便", "150302001002001"),
    ("物业不作为", "清泉小区物业长期不清运垃圾，楼道堆满杂物", "150302003012001"),
    ("噪音扰民", "小区旁工地夜间施工，噪音很大影响休息", "150302001002001"),
]


class Command(BaseCommand):
    help = "市12345对接：simulate（本地模拟市平台）、deliver（立即发送待发消息）、poll（立即拉取市平台工单）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulate", help="运行本地模拟的市12345平台")
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=8765)
        sim.add_argument("--secret", default="", help="共享密钥（默认 SHANZHI_EXCHANGE_SECRET）")
        sim.add_argument(
            "--target", default="", help="本中心的接收地址，如 http://127.0.0.1:8000/api/v1/exchange/orders"
        )
        sim.add_argument("--api-key", default="", help="市平台在本中心的接口密钥")
        sim.add_argument("--orders", type=int, default=0, help="启动后推送几件演示工单")
        sim.add_argument("--serve-seconds", type=float, default=-1, help="接收多久后退出（默认一直运行）")
        sub.add_parser("deliver", help="立即发送到期的外发消息")
        sub.add_parser("poll", help="立即从市平台拉取新工单（EXCHANGE_POLL_USER 的身份）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "deliver":
            self.stdout.write(json.dumps(deliveries_send(now=clock.now()).as_dict()))
            return
        if action == "poll":
            actor = services.poll_actor()
            if actor is None:
                raise CommandError("请先设置 SHANZHI_EXCHANGE_POLL_USER（市平台的集成账号）")
            self.stdout.write(json.dumps(services.orders_poll(actor=actor, now=clock.now())))
            return
        self._simulate(options)

    def _simulate(self, options: dict[str, Any]) -> None:
        secret = options["secret"] or city_secret()
        if not secret:
            raise CommandError("请用 --secret 或 SHANZHI_EXCHANGE_SECRET 提供共享密钥")
        simulator = CitySimulator(secret, host=options["host"], port=options["port"]).start()
        self.stdout.write(f"模拟市12345平台已启动：{simulator.url}（结果接收 POST /results，工单列表 GET /orders）")
        stamp = clock.now().strftime("%Y%m%d%H%M%S")
        try:
            for index in range(options["orders"]):
                title, content, area = DEMO_ORDERS[index % len(DEMO_ORDERS)]
                order = {"order_id": f"SIM-{stamp}-{index + 1:03d}", "title": title, "content": content,
                         "area_code": area, "citizen_phone": "13800000000"}  # fmt: skip
                if options["target"]:
                    status, body = simulator.push_order(options["target"], order, api_key=options["api_key"])
                    self.stdout.write(f"推送 {order['order_id']} → {status} {body.get('tracking_no', body)}")
                else:
                    simulator.orders.append(order)
                    self.stdout.write(f"待拉取 {order['order_id']}")
            seen = 0
            deadline = None if options["serve_seconds"] < 0 else time.monotonic() + options["serve_seconds"]
            while deadline is None or time.monotonic() < deadline:
                for message in simulator.received[seen:]:
                    self.stdout.write(f"收到 {message['order_id']} {message['event']} {message['state_label']}")
                seen = len(simulator.received)
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
