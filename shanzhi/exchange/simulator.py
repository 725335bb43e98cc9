"""A local stand-in for the city 12345 platform, speaking the contract of ``docs/exchange.md`` over real HTTP.

It receives status updates and results (``POST /results``, signature checked, deduplicated by ``message_id``), serves
its order list to a poller (``GET /orders?cursor=N``, signed), pushes orders to the centre (``push_order``), and can
be taken "down" (every call answered 503) to show that nothing is lost. Used by the tests and by
``shanzhi exchange simulate`` for demos.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from shanzhi.exchange import rules


class CitySimulator:
    def __init__(self, secret: str, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.secret = secret
        self.down = False
        self.received: list[dict[str, Any]] = []  # each message once, in arrival order
        self.duplicates: list[str] = []  # message ids that came again
        self.refused: int = 0  # calls refused while down or badly signed
        self.orders: list[dict[str, Any]] = []  # what the poller may fetch
        self.hooks: list[tuple[dict[str, str], bytes]] = []  # anything POSTed to /hooks (webhook tests)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> CitySimulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="city-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> CitySimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["message_id"]) for m in self.received]

    # --- the city pushing an order to the centre --------------------------------------------------------------

    def push_order(self, target_url: str, order: dict[str, Any], *, api_key: str) -> tuple[int, dict[str, Any]]:
        body = json.dumps(order, ensure_ascii=False).encode()
        request = urllib.request.Request(
            target_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                rules.SIGNATURE_HEADER: rules.sign(self.secret, body),
                "X-Api-Key": api_key,
            },
        )
        if not target_url.startswith(("http://", "https://")):
            raise ValueError("only http(s) targets")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # the scheme is checked above
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    # --- the HTTP side -------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                return

            def _answer(self, status: int, payload: dict[str, Any], *, signed: bool = False) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if signed:
                    self.send_header(rules.SIGNATURE_HEADER, rules.sign(sim.secret, data))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parsed = urllib.parse.urlparse(self.path)
                if sim.down:
                    sim.refused += 1
                    return self._answer(503, {"error": "down"})
                if parsed.path != "/orders":
                    return self._answer(404, {"error": "not found"})
                query = urllib.parse.parse_qs(parsed.query)
                raw = (query.get("cursor") or ["0"])[0]
                start = int(raw) if raw.isdigit() else 0
                with sim._lock:
                    batch = sim.orders[start : start + 50]
                self._answer(200, {"orders": batch, "cursor": str(start + len(batch))}, signed=True)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == "/hooks":
                    with sim._lock:
                        sim.hooks.append(({k: v for k, v in self.headers.items()}, body))
                    return self._answer(200, {"ok": True})
                if sim.down:
                    sim.refused += 1
                    return self._answer(503, {"error": "down"})
                if self.path != "/results":
                    return self._answer(404, {"error": "not found"})
                if not rules.signature_valid(sim.secret, body, self.headers.get(rules.SIGNATURE_HEADER)):
                    sim.refused += 1
                    return self._answer(401, {"error": "bad signature"})
                message = json.loads(body)
                with sim._lock:
                    if any(m["message_id"] == message.get("message_id") for m in sim.received):
                        sim.duplicates.append(str(message.get("message_id")))
                        return self._answer(409, {"duplicate": True})
                    sim.received.append(message)
                self._answer(200, {"ok": True})

        return Handler
