"""Facts about an HTTP request that several parts need the same way."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for the logs of personal-data views and the portal's rate limits.

    Behind proxies, ``SHANZHI_TRUSTED_PROXIES`` says how many are in front (nginx alone: 1): the address that many
    hops from the end of ``X-Forwarded-For``, which each proxy appends to, so a client cannot choose it. Without
    it (or with fewer hops than expected) the peer address; behind an unconfigured proxy that is the proxy's own,
    and every citizen would share one rate limit.
    """
    proxies = int(getattr(settings, "SHANZHI", {}).get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None
