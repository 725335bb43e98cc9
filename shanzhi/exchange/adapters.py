"""The city platform behind an interface, and the HTTP sender of webhooks.

The city's own system is proprietary and out of reach: :class:`CityAdapter` is what the exchange needs of it (send
one message; list new orders after a cursor). :class:`HttpCityAdapter` speaks the JSON contract of
``docs/exchange.md`` (the one the simulator, ``shanzhi exchange simulate``, plays); a deployment whose city speaks
something else plugs in its own class with ``SHANZHI["EXCHANGE_ADAPTER"]`` (a dotted path).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shanzhi.exchange import rules

TIMEOUT_SECONDS = 10.0


class SendError(Exception):
    """A failed attempt worth retrying (the other side is down, slow, or answered 5xx/429)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class PermanentSendError(SendError):
    """A refusal that a retry will not change (4xx other than 408/409/429)."""


@dataclass(frozen=True)
class Envelope:
    """One message as it goes on the wire."""

    uid: str
    url: str
    secret: str
    body: dict[str, Any]
    event: str
    signature_header: str = rules.SIGNATURE_HEADER


def exchange_setting(name: str, default: Any = "") -> Any:
    return getattr(settings, "SHANZHI", {}).get(name, default)


def post_signed(envelope: Envelope, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """POST the JSON body, signed, with the message id as idempotency key; raise on anything but 2xx (or 409: the
    other side has it already)."""
    if not envelope.url.startswith(("http://", "https://")):
        raise PermanentSendError("bad_url", "only http(s) targets")
    data = json.dumps(envelope.body, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(
        envelope.url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            envelope.signature_header: rules.sign(envelope.secret, data),
            "Idempotency-Key": envelope.uid,
            "X-Shanzhi-Event": envelope.event,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # the scheme is checked above
            response.read()
    except urllib.error.HTTPError as error:
        if error.code == 409:
            return  # a duplicate: the receiver had it already, it counts as delivered
        if error.code in (408, 425, 429) or error.code >= 500:
            raise SendError(f"http_{error.code}") from None
        raise PermanentSendError(f"http_{error.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise SendError("unreachable", type(error).__name__) from None


class CityAdapter(Protocol):
    def send(self, *, uid: str, body: dict[str, Any], event: str) -> None:
        """Deliver one status update or result; raise :class:`SendError` to retry later."""

    def fetch_orders(self, *, cursor: str) -> tuple[list[dict[str, Any]], str]:
        """New orders after ``cursor`` and the cursor to ask with next time."""


class NotConfigured(SendError):
    pass


class HttpCityAdapter:
    """The city side over HTTP: ``POST {base}/results``, ``GET {base}/orders?cursor=`` (both HMAC-signed)."""

    def __init__(self, base_url: str, secret: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout

    def send(self, *, uid: str, body: dict[str, Any], event: str) -> None:
        post_signed(Envelope(uid, f"{self.base_url}/results", self.secret, body, event), timeout=self.timeout)

    def fetch_orders(self, *, cursor: str) -> tuple[list[dict[str, Any]], str]:
        url = f"{self.base_url}/orders?" + urllib.parse.urlencode({"cursor": cursor})
        if not url.startswith(("http://", "https://")):
            raise PermanentSendError("bad_url", "only http(s) targets")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # the scheme is checked above
                data = response.read()
                signature = response.headers.get(rules.SIGNATURE_HEADER)
        except urllib.error.HTTPError as error:
            raise SendError(f"http_{error.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise SendError("unreachable", type(error).__name__) from None
        if not rules.signature_valid(self.secret, data, signature):
            raise PermanentSendError("invalid_signature", "order list not signed by the city")
        parsed = json.loads(data)
        return list(parsed.get("orders", [])), str(parsed.get("cursor", cursor))


class UnconfiguredCityAdapter:
    """No city configured: every message waits (a temporary failure), nothing is lost."""

    def send(self, *, uid: str, body: dict[str, Any], event: str) -> None:
        raise NotConfigured("not_configured", "SHANZHI_EXCHANGE_CITY_URL is not set")

    def fetch_orders(self, *, cursor: str) -> tuple[list[dict[str, Any]], str]:
        raise NotConfigured("not_configured", "SHANZHI_EXCHANGE_CITY_URL is not set")


def city_secret() -> str:
    return str(exchange_setting("EXCHANGE_SECRET", ""))


def city_adapter() -> CityAdapter:
    """The configured adapter: ``EXCHANGE_ADAPTER`` (dotted path of a class taking no arguments), else HTTP to
    ``EXCHANGE_CITY_URL`` signed with ``EXCHANGE_SECRET``."""
    dotted = exchange_setting("EXCHANGE_ADAPTER", "")
    if dotted:
        adapter: CityAdapter = import_string(dotted)()
        return adapter
    url = str(exchange_setting("EXCHANGE_CITY_URL", ""))
    if not url:
        return UnconfiguredCityAdapter()
    return HttpCityAdapter(url, city_secret())
