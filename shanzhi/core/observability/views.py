"""``/metrics`` for Prometheus: from the addresses in ``SHANZHI_METRICS_ALLOW`` (default: this machine), or with
``Authorization: Bearer <SHANZHI_METRICS_TOKEN>``. Counts of work by unit are the centre's business, not the
public's."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from shanzhi.core.http import client_ip
from shanzhi.core.observability import metrics


def _allowed(request: HttpRequest) -> bool:
    config = getattr(settings, "SHANZHI", {})
    token = config.get("METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in config.get("METRICS_ALLOW", []))


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=403)
    return HttpResponse(metrics.scrape(), content_type=CONTENT_TYPE_LATEST)
