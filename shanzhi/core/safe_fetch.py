"""Fetching a URL someone outside gave us (an Open311 client's ``media_url``) without letting them aim the server at
itself or its network (server-side request forgery).

The host is resolved once and every address it resolves to must be a public one; the connection is then made to
that vetted address (the name is kept for the ``Host`` header and for TLS), so a second lookup cannot turn it into
``127.0.0.1`` (DNS rebinding). Redirects are followed a few times, each one vetted the same way. The body is read up
to a limit and no further; a larger one is refused, as is a response that is not ``200``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3


class FetchRefused(Exception):
    """The URL is not one we fetch, or what came back is not acceptable: a coded reason, never retried."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code


class FetchFailed(Exception):
    """The far side did not answer (network, timeout, a server error): worth another try later."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    data: bytes


def address_allowed(address: str, *, allow_private: bool = False) -> bool:
    """Only a public unicast address; loopback, private, link-local (cloud metadata), multicast and reserved ones
    never, unless ``allow_private`` (a test against the live server, a deployment fetching from its own intranet)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return False
    if allow_private:
        return True
    return ip.is_global and not (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved)


def _vetted_address(host: str, port: int, *, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed("host_unresolved", host) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchFailed("host_unresolved", host)
    if not all(address_allowed(a, allow_private=allow_private) for a in addresses):
        raise FetchRefused("address_not_public", host)
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted address, the certificate checked against the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _one(url: str, *, timeout: float, allow_private: bool) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("scheme_not_allowed", parts.scheme)
    if parts.username or parts.password:
        raise FetchRefused("credentials_in_url")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _vetted_address(host, port, allow_private=allow_private)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(host, address, port, timeout)
    else:
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default_port = port == (443 if parts.scheme == "https" else 80)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Host": host if default_port else f"{host}:{port}",
                "User-Agent": "Shanzhi media fetch",
                "Accept": "image/*, application/pdf",
            },
        )
        return connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchFailed("connection_failed", type(error).__name__) from error


def fetch(url: str, *, max_bytes: int, timeout: float = 10.0, allow_private: bool = False) -> Fetched:
    """GET ``url`` (following at most :data:`MAX_REDIRECTS` redirects) and return its body of at most
    ``max_bytes``; :class:`FetchRefused` for what will never work, :class:`FetchFailed` for what may later."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        response = _one(current, timeout=timeout, allow_private=allow_private)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused("redirect_without_location")
                current = urljoin(current, location)
                continue
            if response.status >= 500 or response.status in (408, 429):
                raise FetchFailed("server_error", str(response.status))
            if response.status != 200:
                raise FetchRefused("status_not_ok", str(response.status))
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchRefused("too_large", declared)
            try:
                data = response.read(max_bytes + 1)
            except (OSError, http.client.HTTPException) as error:
                raise FetchFailed("read_failed", type(error).__name__) from error
            if len(data) > max_bytes:
                raise FetchRefused("too_large")
            if not data:
                raise FetchRefused("empty")
            content_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
            return Fetched(url=current, content_type=content_type, data=data)
        finally:
            response.close()
    raise FetchRefused("too_many_redirects")
