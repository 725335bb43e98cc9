"""The work bench (工作台): counters that filter the list below; the centre's queues or the unit's assignments."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals.models import Assignment, AssignmentState
from shanzhi.appeals.selectors import unit_queue
from shanzhi.appeals.unit_work import assignment_sign
from shanzhi.console import queues
from shanzhi.console.views import current_user
from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.core.ids import as_id
from shanzhi.orgs import permissions

MAX_BULK = 100


def _bench_view(request: HttpRequest) -> str:
    user = current_user(request)
    wanted = request.GET.get("view")
    centre, unit = permissions.is_centre_user(user), permissions.is_unit_user(user)
    if wanted == "unit" and unit:
        return "unit"
    if wanted == "centre" and centre:
        return "centre"
    return "centre" if centre else ("unit" if unit else "none")


def _url(view: str, bucket: str, cursor: str | None = None) -> str:
    params = {"view": view, "bucket": bucket}
    if cursor:
        params["cursor"] = cursor
    return "?" + urlencode(params)


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    end_of_day = queues.end_of_local_day(now)
    view = _bench_view(request)
    bucket = request.GET.get("bucket") or "todo"
    cursor = request.GET.get("cursor") or None
    context: dict = {
        "view": view,
        "now": now,
        "nav_active": "dispatch" if bucket == "to_dispatch" else "workbench",
        "can_switch": permissions.is_centre_user(user) and permissions.is_unit_user(user),
    }
    if view == "unit":
        buckets = list(queues.UNIT_BUCKETS)
        if bucket not in {b.key for b in buckets}:
            bucket = "todo"
        counts = queues.unit_counters(user=user, now=now, end_of_day=end_of_day)
        page = unit_queue(user=user, bucket=bucket, now=now, end_of_day=end_of_day, cursor=cursor)
        context.update(rows=page.rows, next_cursor=page.next_cursor)
        # The lead is told when its assisting units have fed back (协办反馈).
        progress = queues.assisting_progress(page.rows)
        for row in page.rows:
            row.assisting_progress = progress.get(row.pk)  # type: ignore[attr-defined]
    elif view == "centre":
        buckets = queues.centre_buckets_for(user)
        if bucket not in {b.key for b in buckets}:
            bucket = "todo"
        counts = queues.centre_counters(user=user, now=now, end_of_day=end_of_day)
        qs = queues.centre_bucket(user=user, bucket=bucket, now=now, end_of_day=end_of_day)
        appeal_page = queues.keyset_page(qs, cursor=cursor)
        context.update(
            rows=appeal_page.rows,
            next_cursor=appeal_page.next_cursor,
            centre_due=queues.centre_deadlines(appeal_page.rows),
        )
        if bucket == "to_dispatch" and permissions.may_dispatch(user):
            # 待派单: the machine's top suggestion per row, one click to dispatch by it.
            context["dispatch_rows"] = [{"ap": ap, "s": queues.top_suggestion(ap)} for ap in appeal_page.rows]
            context["here"] = request.get_full_path()
    else:
        buckets, counts = [], {}
        context.update(rows=[], next_cursor=None)
    context.update(
        bucket=bucket,
        counters=[
            {"key": b.key, "label": b.label, "count": counts.get(b.key, 0), "url": _url(view, b.key)} for b in buckets
        ],
        next_url=_url(view, bucket, context["next_cursor"]) if context["next_cursor"] else "",
        first_url=_url(view, bucket) if cursor else "",
    )
    return render(request, "console/workbench.html", context)


@login_required
@require_POST
def bulk_sign(request: HttpRequest) -> HttpResponse:
    """批量签收: sign for several of the unit's pending assignments at once."""
    user = current_user(request)
    ids = [pk for v in request.POST.getlist("assignment") if (pk := as_id(v)) is not None][:MAX_BULK]
    rows = Assignment.objects.filter(pk__in=ids, unit_id=user.unit_id or 0, state=AssignmentState.PENDING)
    signed, failed = 0, []
    for assignment in rows.select_related("appeal"):
        try:
            assignment_sign(actor=user, assignment=assignment)
            signed += 1
        except ShanzhiError as exc:
            failed.append(f"{assignment.appeal.tracking_no}：{exc.message}")
    if signed:
        messages.success(request, _("已签收 %(n)s 件") % {"n": signed})
    for line in failed:
        messages.error(request, line)
    if not signed and not failed:
        messages.warning(request, _("请先勾选待签收的派单"))
    return redirect(reverse_bench("unit", "pending_sign"))


def reverse_bench(view: str, bucket: str) -> str:
    from django.urls import reverse

    return reverse("console:workbench") + _url(view, bucket)
