"""core.http.client_ip: the peer, or behind N trusted proxies the address N hops from the end of X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from shanzhi.core.http import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # no proxy trusted: a client's header means nothing
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "10.9.9.9, 203.0.113.7", "203.0.113.7"),  # what the client wrote first is not believed
        (2, "10.9.9.9, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "127.0.0.1"),  # fewer hops than proxies: not through the proxies, the peer
        (1, "", "127.0.0.1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.SHANZHI = {**settings.SHANZHI, "TRUSTED_PROXIES": proxies}
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
