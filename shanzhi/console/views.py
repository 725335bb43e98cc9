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

from shanzhi.appeals import search as appeal_search
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
    """The top bar's box: a whole tracking number opens the appeal; anything else lists the appeals in scope that
    match it (a phone number, the last four digits of a mobile, part of a tracking number, words of the title or
    content, the caller's name), a page at a time. The box posts (a phone number or a name in a query string would
    end up in access logs and the browser's history); a link may still pass a tracking number as ``?q=``."""
    user = current_user(request)
    data = request.POST if request.method == "POST" else request.GET
    # The pager's buttons carry the query encrypted (``qt``): a phone number or a name stays out of the page.
    raw = (data.get("q") or pii.decrypt(data.get("qt") or "") or "").strip()
    if TRACKING_RE.match(raw):
        try:
            appeal = appeal_get(user=user, key=raw)
        except NotFound:
            messages.warning(request, _("未找到编号为 %(q)s 的诉求，或您无权查看") % {"q": raw.upper()})
            return render(request, "console/search.html", {"query": raw.upper(), "kind": "", "results": []})
        return redirect("console:appeal", pk=appeal.pk)
    query = appeal_search.parse_query(raw)
    if query.kind == "empty":
        if raw:
            messages.warning(request, _("请输入诉求编号、电话号码、标题或内容中的词语，或诉求人姓名"))
        return render(request, "console/search.html", {"query": "", "kind": "", "results": []})
    found = appeal_search.appeals_search(user=user, query=query, page=_page_number(data.get("page")))
    shown = pii.mask_phone(query.phone) if query.kind == "phone" else " ".join(query.words)
    context = {"query": shown, "token": pii.encrypt(raw), "kind": query.kind, "results": found.rows, "found": found}
    return render(request, "console/search.html", context)


def _page_number(value: str | None) -> int:
    text = (value or "").strip()
    return max(1, int(text)) if text.isascii() and text.isdigit() and len(text) <= 4 else 1


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
