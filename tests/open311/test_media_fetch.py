"""``media_url`` fetched into the appeal: a real HTTP server on this machine plays the client's image host.

Only public addresses are fetched by default, so the local server is refused first (that is the SSRF guard); the
tests that fetch turn ``OPEN311_MEDIA_ALLOW_PRIVATE`` on, as a deployment fetching from its own intranet would.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from PIL import Image

from shanzhi.appeals.models import EventKind
from shanzhi.core import safe_fetch
from shanzhi.open311 import media
from shanzhi.open311.models import MediaState, ServiceRequest

from .test_endpoints import new_request

pytestmark = pytest.mark.django_db


def _png(exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), "#c0392b")
    if exif:
        data = image.getexif()
        data[0x010F] = "PhoneMaker"  # Make
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


class _Host(BaseHTTPRequestHandler):
    failures_left = 0
    hits: list[str] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path == "/photo.png":
            self._send(200, "image/png", _png())
        elif self.path == "/phone.jpg":
            self._send(200, "image/jpeg", _png(exif=True))
        elif self.path == "/page.html":
            self._send(200, "text/html", b"<html><body>not a picture</body></html>")
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/photo.png")
            self.end_headers()
        elif self.path == "/flaky.png":
            if type(self).failures_left > 0:
                type(self).failures_left -= 1
                self._send(503, "text/plain", b"busy")
            else:
                self._send(200, "image/png", _png())
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def host() -> Iterator[str]:
    _Host.hits = []
    _Host.failures_left = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def private_allowed(settings):  # type: ignore[no-untyped-def]
    settings.SHANZHI = {**settings.SHANZHI, "OPEN311_MEDIA_ALLOW_PRIVATE": True}


def _request(o311, url: str, django_capture_on_commit_callbacks) -> ServiceRequest:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = new_request(o311, media_url=url)
    assert response.status_code == 201, response.content
    return ServiceRequest.objects.get()


# --- the guard ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.10", False),
        ("172.16.5.4", False),
        ("169.254.169.254", False),  # a cloud's metadata service
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # loopback dressed as IPv6
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_only_public_addresses_are_fetched(address, allowed):
    assert safe_fetch.address_allowed(address) is allowed


def test_a_deployment_may_fetch_from_its_own_network_but_never_multicast():
    assert safe_fetch.address_allowed("10.1.2.3", allow_private=True)
    assert not safe_fetch.address_allowed("224.0.0.1", allow_private=True)


@pytest.mark.parametrize(
    ("url", "code"),
    [("ftp://example.org/a.png", "scheme_not_allowed"), ("http://user:pw@example.org/a.png", "credentials_in_url")],
)
def test_urls_that_are_never_fetched(url, code):
    with pytest.raises(safe_fetch.FetchRefused) as refused:
        safe_fetch.fetch(url, max_bytes=1000)
    assert refused.value.code == code


def test_a_host_resolving_to_a_private_address_is_refused_before_connecting(host):
    resolved = [(2, 1, 6, "", ("10.0.0.7", 80))]
    with mock.patch("socket.getaddrinfo", return_value=resolved), pytest.raises(safe_fetch.FetchRefused) as refused:
        safe_fetch.fetch("http://images.example.org/a.png", max_bytes=1000)
    assert refused.value.code == "address_not_public"
    assert _Host.hits == []


# --- the request's media --------------------------------------------------------------------------------------


def test_the_local_server_is_refused_by_default(o311, host, django_capture_on_commit_callbacks):
    sr = _request(o311, f"{host}/photo.png", django_capture_on_commit_callbacks)
    assert (sr.media_state, sr.media_error) == (MediaState.REFUSED, "address_not_public")
    assert sr.appeal.attachments.count() == 0 and _Host.hits == []


def test_the_picture_becomes_an_attachment_of_the_appeal(
    o311, host, private_allowed, django_capture_on_commit_callbacks
):
    sr = _request(o311, f"{host}/photo.png", django_capture_on_commit_callbacks)
    assert sr.media_state == MediaState.FETCHED and sr.media_error == ""
    attachment = sr.appeal.attachments.get()
    assert sr.media_attachment == attachment
    assert attachment.content_type == "image/png" and attachment.original_name == "photo.png"
    assert attachment.is_public and attachment.uploaded_by == sr.client
    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (64, 48)
    assert sr.appeal.events.filter(kind=EventKind.ATTACHED).count() == 1
    # Fetched once: another run (a duplicate task, the sweep) does nothing.
    assert media.media_fetch(sr.pk) == "skipped" and media.media_sweep() == 0
    assert _Host.hits == ["/photo.png"]


def test_the_phones_metadata_is_stripped(o311, host, private_allowed, django_capture_on_commit_callbacks):
    sr = _request(o311, f"{host}/phone.jpg", django_capture_on_commit_callbacks)
    assert sr.media_state == MediaState.FETCHED
    with sr.appeal.attachments.get().file.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()


def test_a_redirect_is_followed(o311, host, private_allowed, django_capture_on_commit_callbacks):
    sr = _request(o311, f"{host}/moved", django_capture_on_commit_callbacks)
    assert sr.media_state == MediaState.FETCHED
    assert _Host.hits == ["/moved", "/photo.png"]


@pytest.mark.parametrize(
    ("path", "code"),
    [("/page.html", "file_type_not_allowed"), ("/missing.png", "status_not_ok")],
)
def test_what_is_not_a_picture_is_refused_and_the_appeal_stays(
    o311, host, private_allowed, django_capture_on_commit_callbacks, path, code
):
    sr = _request(o311, f"{host}{path}", django_capture_on_commit_callbacks)
    assert (sr.media_state, sr.media_error) == (MediaState.REFUSED, code)
    assert sr.appeal.attachments.count() == 0
    assert sr.appeal.events.filter(kind=EventKind.ATTACHED).count() == 0


def test_a_picture_over_the_limit_is_refused_unread(
    o311, host, private_allowed, settings, django_capture_on_commit_callbacks
):
    settings.SHANZHI = {**settings.SHANZHI, "ATTACHMENT_MAX_BYTES": 100}
    sr = _request(o311, f"{host}/photo.png", django_capture_on_commit_callbacks)
    assert (sr.media_state, sr.media_error) == (MediaState.REFUSED, "too_large")


def test_a_busy_host_is_tried_again_later_then_given_up(o311, host, private_allowed):
    _Host.failures_left = 10
    start = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
    with mock.patch("shanzhi.core.clock.now", return_value=start):
        assert new_request(o311, media_url=f"{host}/flaky.png").status_code == 201
    sr = ServiceRequest.objects.get()
    assert sr.media_state == MediaState.PENDING  # the task runs after the commit

    moments = []
    at = start
    for attempt in range(1, media.MAX_ATTEMPTS + 1):
        with mock.patch("shanzhi.core.clock.now", return_value=at):
            # Not before its time: a task or the sweep that comes early leaves it alone.
            if attempt > 1:
                with mock.patch("shanzhi.core.clock.now", return_value=at - dt.timedelta(seconds=1)):
                    assert media.media_fetch(sr.pk) == "skipped"
            state = media.media_fetch(sr.pk)
        sr.refresh_from_db()
        moments.append(at)
        if attempt < media.MAX_ATTEMPTS:
            assert state == MediaState.PENDING and sr.media_error == "server_error"
            assert sr.media_next_at == at + media.retry_pause(attempt)
            at = sr.media_next_at
    assert (sr.media_state, sr.media_error, sr.media_attempts) == (MediaState.FAILED, "server_error", 4)
    assert [b - a for a, b in itertools.pairwise(moments)] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=4),
        dt.timedelta(minutes=16),
    ]
    assert sr.appeal.attachments.count() == 0


def test_a_host_that_recovers_gets_its_picture_in(o311, host, private_allowed):
    _Host.failures_left = 1
    assert new_request(o311, media_url=f"{host}/flaky.png").status_code == 201
    sr = ServiceRequest.objects.get()
    assert media.media_fetch(sr.pk) == MediaState.PENDING
    sr.refresh_from_db()
    with mock.patch("shanzhi.core.clock.now", return_value=sr.media_next_at):
        assert media.media_sweep() == 1  # its task was lost: the sweep enqueues it (the test queue runs it at once)
    sr.refresh_from_db()
    assert sr.media_state == MediaState.FETCHED and sr.media_attempts == 2


def test_no_media_url_no_fetch(o311, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert new_request(o311, media_url=None).status_code == 201
    assert ServiceRequest.objects.get().media_state == MediaState.NONE
