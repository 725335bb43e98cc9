"""How an outbox message leaves the building.

A backend is any class with ``send(message) -> SendResult`` (the :class:`Notifier` protocol) that raises
:class:`TransientSendError` when trying again later may help (timeouts, 5xx, rate limits) and
:class:`PermanentSendError` when it will not (the gateway refused the number or the text). Any other exception is
treated as transient. The outbox, not the backend, owns retries: a backend makes exactly one attempt.

Which backend sends SMS is ``settings.SHANZHI["NOTIFIER_BACKEND"]`` (a dotted path):

* :class:`LogBackend` (default, the embedded profile): writes one masked line to the ``shanzhi.notifications``
  logger and reports the message as sent. Nothing leaves the machine.
* :class:`HttpSmsGatewayBackend`: a generic HTTP gateway. ``SMS_GATEWAY_URL`` receives ``POST`` with the JSON body
  ``{"phone", "text", "sign", "timestamp", "nonce", "out_id", "event"}`` and the header
  ``X-Shanzhi-Signature: sha256=<hex HMAC-SHA256 of the raw body with SMS_GATEWAY_KEY>``; it answers 2xx with
  ``{"message_id": "..."}`` (or ``{"error": "..."}`` to refuse). 5xx, 408, 429 and network errors are retried;
  other 4xx are final. ``out_id`` is the outbox id, stable across retries, so the gateway can drop duplicates.

What a deployment plugs in: the real vendor. Put a small relay that speaks the contract above in front of the
vendor API (Aliyun SMS ``SendSms`` with SignName/TemplateCode/OutId, Tencent Cloud SMS ``SendSms`` with
SmsSdkAppId/SignName/TemplateId/SessionContext, or the operator's CMPP gateway), or write a backend class with the
same ``send`` contract and name it in ``SHANZHI_NOTIFIER_BACKEND``. Vendors that require registered templates map
``event`` to their template code and pass the rendered ``text`` (or its parameters) along.

Portal messages (channel ``portal``) need no gateway: the outbox row is the citizen's inbox entry, so
:class:`PortalInboxBackend` only marks them delivered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shanzhi.core import clock, pii

if TYPE_CHECKING:
    from shanzhi.notifications.models import OutboxMessage

logger = logging.getLogger("shanzhi.notifications")

SIGNATURE_HEADER = "X-Shanzhi-Signature"
TIMESTAMP_HEADER = "X-Shanzhi-Timestamp"
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str = ""


class SendError(Exception):
    """A failed attempt. ``code`` and ``detail`` end up in ``last_error``: never put personal data in them."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


class TransientSendError(SendError):
    """Trying again later may succeed (timeout, gateway down, rate limited)."""


class PermanentSendError(SendError):
    """Trying again will not help (refused number, rejected text, bad credentials)."""


class Notifier(Protocol):
    def send(self, message: OutboxMessage) -> SendResult: ...


def _shanzhi_setting(name: str, default: Any) -> Any:
    return getattr(settings, "SHANZHI", {}).get(name, default)


def get_notifier(channel: str) -> Notifier:
    """The backend that delivers messages of ``channel``."""
    from shanzhi.notifications.models import NotificationChannel

    if channel == NotificationChannel.PORTAL:
        return PortalInboxBackend()
    path = _shanzhi_setting("NOTIFIER_BACKEND", "") or "shanzhi.notifications.backends.LogBackend"
    backend_class = import_string(path)
    return backend_class()


class LogBackend:
    """Logs a masked line instead of sending: the embedded profile and development."""

    def send(self, message: OutboxMessage) -> SendResult:
        from shanzhi.notifications.models import OTP_EVENT

        if getattr(settings, "PRODUCTION", False):
            # Nothing leaves the machine: in production the message is not delivered, and says so (dead, with
            # this code), instead of being marked sent. Settings refuse this backend there too.
            raise PermanentSendError("no_gateway", "log backend in production")

        tracking_no = message.appeal.tracking_no if message.appeal_id and message.appeal else "-"
        logger.info(
            "notification %s channel=%s to=%s event=%s appeal=%s chars=%d",
            message.pk,
            message.channel,
            pii.mask_phone(message.recipient),
            message.event,
            tracking_no,
            len(message.body),
        )
        if message.event == OTP_EVENT and not getattr(settings, "PRODUCTION", False):
            # The embedded demo has no SMS gateway: show the sign-in text (no phone number in it) in the server's
            # log so a tester can sign in to the portal — with DEBUG off too, as `make run` serves. Never in
            # production (settings refuse this backend there, and it marks such messages dead).
            logger.warning("demo only, no SMS gateway: sign-in message %s reads: %s", message.pk, message.body)
        return SendResult(provider_message_id=f"log-{message.pk}")


class PortalInboxBackend:
    """Portal messages are stored, not transmitted: the citizen reads them from the outbox once sent."""

    def send(self, message: OutboxMessage) -> SendResult:
        return SendResult(provider_message_id=f"portal-{message.pk}")


def sign_body(body: bytes, key: str) -> str:
    """The signature header value for ``body``: ``sha256=`` + hex HMAC-SHA256 with the shared key."""
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class HttpSmsGatewayBackend:
    """A generic signed-JSON HTTP SMS gateway (see the module docstring for the contract)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        key: str | None = None,
        timeout: float | None = None,
        sign: str | None = None,
    ) -> None:
        self.url = url if url is not None else str(_shanzhi_setting("SMS_GATEWAY_URL", "") or "")
        self.key = key if key is not None else str(_shanzhi_setting("SMS_GATEWAY_KEY", "") or "")
        self.timeout = float(
            timeout if timeout is not None else _shanzhi_setting("SMS_GATEWAY_TIMEOUT", DEFAULT_TIMEOUT)
        )
        self.sign = sign if sign is not None else str(_shanzhi_setting("SMS_SIGN", "") or "")

    def payload(self, message: OutboxMessage, *, timestamp: int) -> bytes:
        document = {
            "phone": message.recipient,
            "text": message.body,
            "sign": self.sign,
            "timestamp": timestamp,
            "nonce": uuid.uuid4().hex,
            "out_id": str(message.pk),
            "event": message.event,
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    def send(self, message: OutboxMessage) -> SendResult:
        if not self.url or not self.key:
            # Misconfiguration is fixable: keep the message and retry rather than dropping it.
            raise TransientSendError("gateway_not_configured", "SMS_GATEWAY_URL / SMS_GATEWAY_KEY")
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise TransientSendError("gateway_bad_url", "scheme must be http or https")
        timestamp = int(clock.now().timestamp())
        body = self.payload(message, timestamp=timestamp)
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "User-Agent": "shanzhi-notifier/1",
                SIGNATURE_HEADER: sign_body(body, self.key),
                TIMESTAMP_HEADER: str(timestamp),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # the scheme is checked above
                status = response.status
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            status = error.code
            gateway_code = _gateway_code(error.read(8 * 1024) if error.fp else b"")
            error.close()
            detail = f"HTTP {status}" + (f" {gateway_code}" if gateway_code else "")
            if status >= 500 or status in (408, 425, 429):
                raise TransientSendError("gateway_unavailable", detail) from None
            raise PermanentSendError("gateway_refused", detail) from None
        except TimeoutError:
            raise TransientSendError("gateway_timeout", f"{self.timeout:g}s") from None
        except OSError as error:  # URLError, refused connections, DNS failures, TLS errors
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise TransientSendError("gateway_timeout", f"{self.timeout:g}s") from None
            raise TransientSendError("gateway_unreachable", type(reason).__name__) from None
        return self._result(status, raw)

    @staticmethod
    def _result(status: int, raw: bytes) -> SendResult:
        if not 200 <= status < 300:  # 1xx/3xx that urllib did not resolve
            raise TransientSendError("gateway_unexpected_status", f"HTTP {status}")
        try:
            document = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            document = {}
        if not isinstance(document, dict):
            document = {}
        if document.get("error"):
            raise PermanentSendError("gateway_refused", _short_code(document.get("error")))
        provider_id = document.get("message_id") or document.get("id") or ""
        return SendResult(provider_message_id=str(provider_id)[:100])


def _short_code(value: Any) -> str:
    """A gateway's error code, if it looks like a code (gateways sometimes echo the number in messages)."""
    text = str(value)[:60]
    return text if text.isascii() and text.replace("_", "").replace("-", "").replace(".", "").isalnum() else ""


def _gateway_code(raw: bytes) -> str:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if isinstance(document, dict):
        return _short_code(document.get("error") or document.get("code") or "")
    return ""
