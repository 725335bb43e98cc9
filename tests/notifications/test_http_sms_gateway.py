"""HttpSmsGatewayBackend against a real HTTP server on 127.0.0.1: signature, body, error mapping, the outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shanzhi.notifications.backends import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    HttpSmsGatewayBackend,
    PermanentSendError,
    TransientSendError,
    get_notifier,
)
from shanzhi.notifications.delivery import outbox_deliver
from shanzhi.notifications.models import OutboxMessage, OutboxState
from shanzhi.notifications.services import notify_citizen

from .conftest import PHONE, T0

KEY = "test-gateway-key-0123456789"


class Gateway:
    """A scripted SMS gateway: records each request, answers with ``status``/``reply`` after ``delay`` s."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.reply: dict | str = {"message_id": "gw-0001"}
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "raw": raw})
                if gateway.delay:
                    time.sleep(gateway.delay)
                body = gateway.reply if isinstance(gateway.reply, str) else json.dumps(gateway.reply)
                data = body.encode()
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away

            def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    with Gateway() as running:
        yield running


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(T0, tick=True)


@pytest.fixture
def message(make_appeal) -> OutboxMessage:
    queued = notify_citizen(appeal=make_appeal(), event="received")
    assert queued is not None
    return queued


def _backend(gateway: Gateway, **overrides: Any) -> HttpSmsGatewayBackend:
    values: dict[str, Any] = {"url": gateway.url, "key": KEY, "timeout": 2.0, "sign": "海勃湾区社会治理中心"}
    values.update(overrides)
    return HttpSmsGatewayBackend(**values)


def test_a_signed_json_request_is_posted_and_the_provider_id_returned(gateway, message):
    result = _backend(gateway).send(message)
    assert result.provider_message_id == "gw-0001"
    (request,) = gateway.requests
    assert request["path"] == "/sms/send"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["content-type"] == "application/json; charset=utf-8"
    expected = "sha256=" + hmac.new(KEY.encode(), request["raw"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER.lower()], expected)
    body = json.loads(request["raw"].decode("utf-8"))
    assert body["phone"] == PHONE
    assert body["text"] == message.body
    assert body["sign"] == "海勃湾区社会治理中心"
    assert body["out_id"] == str(message.pk) and body["event"] == "received"
    assert abs(body["timestamp"] - int(T0.timestamp())) < 5
    assert headers[TIMESTAMP_HEADER.lower()] == str(body["timestamp"])
    assert len(body["nonce"]) == 32


def test_the_signature_covers_the_body(gateway, message):
    _backend(gateway).send(message)
    raw = gateway.requests[0]["raw"]
    signature = gateway.requests[0]["headers"][SIGNATURE_HEADER]
    tampered = raw.replace(PHONE.encode(), b"13900000000")
    assert signature != "sha256=" + hmac.new(KEY.encode(), tampered, hashlib.sha256).hexdigest()
    assert signature != "sha256=" + hmac.new(b"another-key", raw, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_server_errors_and_throttling_are_transient(gateway, message, status):
    gateway.status, gateway.reply = status, {"error": "BUSY"}
    with pytest.raises(TransientSendError) as error:
        _backend(gateway).send(message)
    assert error.value.code == "gateway_unavailable" and error.value.detail == f"HTTP {status} BUSY"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_permanent(gateway, message, status):
    gateway.status, gateway.reply = status, {"error": "INVALID_MOBILE"}
    with pytest.raises(PermanentSendError) as error:
        _backend(gateway).send(message)
    assert error.value.code == "gateway_refused" and error.value.detail == f"HTTP {status} INVALID_MOBILE"


def test_a_refusal_inside_a_200_is_permanent(gateway, message):
    gateway.reply = {"error": "TEMPLATE_NOT_APPROVED"}
    with pytest.raises(PermanentSendError) as error:
        _backend(gateway).send(message)
    assert error.value.detail == "TEMPLATE_NOT_APPROVED"


def test_a_gateway_echoing_the_number_does_not_leak_it(gateway, message):
    gateway.status, gateway.reply = 400, {"error": f"手机号 {PHONE} 无效"}
    with pytest.raises(PermanentSendError) as error:
        _backend(gateway).send(message)
    assert PHONE not in str(error.value) and error.value.detail == "HTTP 400"


def test_an_empty_or_non_json_success_is_accepted_without_an_id(gateway, message):
    gateway.reply = "OK"
    assert _backend(gateway).send(message).provider_message_id == ""


def test_a_slow_gateway_is_a_transient_timeout(gateway, message):
    gateway.delay = 1.0
    with pytest.raises(TransientSendError) as error:
        _backend(gateway, timeout=0.2).send(message)
    assert error.value.code == "gateway_timeout"


def test_an_unreachable_gateway_is_transient(message):
    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = HttpSmsGatewayBackend(url=f"http://127.0.0.1:{port}/sms", key=KEY, timeout=2.0)
    with pytest.raises(TransientSendError) as error:
        backend.send(message)
    assert error.value.code == "gateway_unreachable"


@pytest.mark.parametrize(
    ("url", "key", "code"),
    [
        ("", KEY, "gateway_not_configured"),
        ("http://127.0.0.1:9/x", "", "gateway_not_configured"),
        ("file:///etc/passwd", KEY, "gateway_bad_url"),
    ],
)
def test_a_misconfigured_gateway_keeps_the_message_for_later(message, url, key, code):
    with pytest.raises(TransientSendError) as error:
        HttpSmsGatewayBackend(url=url, key=key).send(message)
    assert error.value.code == code


def test_the_backend_is_configured_from_settings(gateway, shanzhi_settings):
    shanzhi_settings(
        NOTIFIER_BACKEND="shanzhi.notifications.backends.HttpSmsGatewayBackend",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_KEY=KEY,
        SMS_GATEWAY_TIMEOUT=3,
        SMS_SIGN="善治",
    )
    backend = get_notifier("sms")
    assert isinstance(backend, HttpSmsGatewayBackend)
    assert (backend.url, backend.key, backend.timeout, backend.sign) == (gateway.url, KEY, 3.0, "善治")


def test_the_outbox_sends_through_the_gateway_and_retries_its_outages(gateway, message, shanzhi_settings):
    shanzhi_settings(
        NOTIFIER_BACKEND="shanzhi.notifications.backends.HttpSmsGatewayBackend",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_KEY=KEY,
        SMS_GATEWAY_TIMEOUT=2,
    )
    gateway.status, gateway.reply = 503, {"error": "MAINTENANCE"}
    now = message.next_attempt_at
    assert outbox_deliver(now=now, limit=10).retried == 1
    message.refresh_from_db()
    assert message.state == OutboxState.FAILED and message.last_error == "gateway_unavailable: HTTP 503 MAINTENANCE"
    gateway.status, gateway.reply = 200, {"message_id": "gw-42"}
    assert outbox_deliver(now=message.next_attempt_at, limit=10).sent == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.provider_message_id == "gw-42"
    out_ids = {json.loads(r["raw"])["out_id"] for r in gateway.requests}
    assert out_ids == {str(message.pk)}  # the same id on the retry: the gateway can drop duplicates


def test_the_outbox_dead_letters_a_refused_number(gateway, message, shanzhi_settings):
    shanzhi_settings(
        NOTIFIER_BACKEND="shanzhi.notifications.backends.HttpSmsGatewayBackend",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_KEY=KEY,
    )
    gateway.status, gateway.reply = 400, {"error": "MOBILE_BLACKLISTED"}
    assert outbox_deliver(now=message.next_attempt_at, limit=10).dead == 1
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD and message.last_error == "gateway_refused: HTTP 400 MOBILE_BLACKLISTED"
