"""Console pages around the frame: search, supervision list and the statistics overview."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.appeals.selectors import appeal_get
from shanzhi.console import queues
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User

TRACKING_RE = re.compile(r"^[A-Za-z]{1,6}\d{8}-\d{1,8}$")


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The top bar's box: a tracking number opens the appeal; a phone number lists that caller's appeals in scope.
    The box posts (a phone number in a query string would end up in access logs and the browser's history); a
    link may still pass a tracking number as ``?q=``."""
    user = current_user(request)
    query = ((request.POST if request.method == "POST" else request.GET).get("q") or "").strip()
    results = []
    kind = ""
    if TRACKING_RE.match(query):
        try:
            appeal = appeal_get(user=user, key=query)
        except NotFound:
            messages.warning(request, _("未找到编号为 %(q)s 的诉求，或您无权查看") % {"q": query.upper()})
        else:
            return redirect("console:appeal", pk=appeal.pk)
    elif query:
        phone = pii.normalize_phone(query)
        if pii.phone_is_valid(phone):
            kind = "phone"
            results = queues.appeals_by_phone(user=user, phone=phone)
            query = pii.mask_phone(phone)
        else:
            messages.warning(request, _("请输入诉求编号（如 HB20261128-000123）或电话号码"))
    return render(request, "console/search.html", {"query": query, "kind": kind, "results": results})


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """督办: running appeals with a yellow or red card or past their deadline."""
    user = current_user(request)
    if not permissions.may_open_supervision_desk(user):
        raise DjangoPermissionDenied
    now = clock.now()
    rows = queues.supervision_list(user=user, now=now)
    return render(request, "console/supervision.html", {"rows": rows, "now": now, "nav_active": "supervision"})


@login_required
def analysis(request: HttpRequest) -> HttpResponse:
    """统计分析 lives in the reports app (filters, KPIs by unit, drill-down); this older address leads there."""
    if not permissions.may_analyse(current_user(request)):
        raise DjangoPermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("reports:index") + (f"?{query}" if query else ""))
