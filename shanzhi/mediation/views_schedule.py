"""The 值班表 page: one committee's week — each mediator's kind and duty weekdays, and a select per day (as the kind
says / on duty / on leave / on call) with who is on duty as the rule reads it. The centre's schedulers edit it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.mediation import policy, schedules, selectors
from shanzhi.mediation.models import DutyStatus, MediatorKind
from shanzhi.orgs.models import User

WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")


def _week_start(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = clock.local_date()
    return schedules.week_of(day)[0]


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not policy.may_edit_schedule(user):
        raise DjangoPermissionDenied
    committees = list(selectors.committees())
    source = request.POST if request.method == "POST" else request.GET
    committee = next((c for c in committees if str(c.pk) == source.get("committee")), committees[0] if committees
                     else None)  # fmt: skip
    week_start = _week_start(source.get("week", ""))
    days = schedules.week_of(week_start)
    if request.method == "POST" and committee is not None:
        rows = schedules.schedule_week(committee=committee, week_start=week_start)
        plans = {
            row.mediator.pk: schedules.MediatorPlan(
                kind=request.POST.get(f"kind-{row.mediator.pk}", row.mediator.kind),
                duty_weekdays=tuple(int(d) for d in request.POST.getlist(f"weekday-{row.mediator.pk}") if d.isdigit()),
                days={day: request.POST.get(f"day-{row.mediator.pk}-{day.isoformat()}", "") for day in days},
            )
            for row in rows
        }
        try:
            changed = schedules.schedule_set(actor=user, committee=committee, plans=plans)
        except ShanzhiError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已保存值班表（%(n)s 天有变更）") % {"n": changed})
        url = reverse("mediation:schedule") + f"?committee={committee.pk}&week={week_start.isoformat()}"
        return redirect(url)
    context = {
        "nav_active": "mediation",
        "committees": committees,
        "committee": committee,
        "week_start": week_start,
        "previous_week": week_start - dt.timedelta(days=7),
        "next_week": week_start + dt.timedelta(days=7),
        "days": [(day, WEEKDAY_NAMES[day.weekday()]) for day in days],
        "weekdays": list(enumerate(WEEKDAY_NAMES)),
        "rows": schedules.schedule_week(committee=committee, week_start=week_start) if committee else [],
        "kinds": MediatorKind.choices,
        "statuses": DutyStatus.choices,
        "today": clock.local_date(),
    }
    return render(request, "mediation/schedule.html", context)
