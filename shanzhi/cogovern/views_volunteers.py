"""Console pages of volunteer teams, volunteers and their activities with QR check-in (多元共治)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.cogovern import access, selectors, services
from shanzhi.cogovern.forms import (
    ActivityForm,
    TeamForm,
    VolunteerForm,
)
from shanzhi.cogovern.views import _attempt, _found, _page, _reader
from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.core.http import client_ip
from shanzhi.orgs.personal_data import personal_data_reveal

# --- volunteers and activities ------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = TeamForm(request.POST or None, communities=selectors.communities_for(user))
    created = request.method == "POST" and form.is_valid()
    create = lambda: services.team_create(actor=user, now=clock.now(), **form.cleaned_data)  # noqa: E731
    if created and _attempt(request, create, _("队伍已建立")):
        return redirect("cogovern:teams")
    context = {"teams": list(selectors.teams_for(user)), "form": form, "hours": selectors.hours_by_team_and_month(user)}
    return _page(request, "team_list.html", "teams", context)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    team = _found(lambda: selectors.team_get(user, pk))
    form = VolunteerForm(request.POST or None) if request.POST.get("op") != "reveal" else VolunteerForm()
    reveal = False
    if request.method == "POST" and request.POST.get("op") == "reveal":
        try:
            personal_data_reveal(
                user=user,
                subject_type="cogovern.team",
                subject_id=team.pk,
                fields="volunteer name, phone",
                reason=request.POST.get("reason", ""),
                ip_address=client_ip(request),
            )
        except ShanzhiError as error:
            messages.error(request, str(error.message))
        else:
            reveal = True
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(
            request,
            lambda: services.volunteer_register(actor=user, team=team, now=clock.now(), **data),
            _("志愿者已登记"),
        ):
            return redirect("cogovern:team", pk=pk)
    rows = selectors.volunteer_rows(selectors.volunteers_for(user, team_id=team.pk), reveal=reveal)
    context = {"team": team, "volunteers": rows, "form": form, "may_reveal": access.may_view_personal_data(user)}
    return _page(request, "team_detail.html", "teams", context)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return _page(
        request, "activity_list.html", "activities", {"activities": list(selectors.activities_for(user)[:300])}
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = ActivityForm(request.POST or None, communities=selectors.communities_for(user))
    teams = list(selectors.teams_for(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = next((t for t in teams if t.pk == data.get("team")), None)
        plan = services.ActivityPlan(
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            hours=data["hours"],
            place=data.get("place", ""),
            kind=data["kind"],
            capacity=data["capacity"],
        )
        try:
            activity = services.activity_create(
                actor=user, community=data["community"], team=team, plan=plan, now=clock.now()
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("活动已发布"))
            return redirect("cogovern:activity", pk=activity.pk)
    status = 422 if request.method == "POST" else 200
    return _page(
        request, "form.html", "activities", {"form": form, "heading": _("发布志愿活动"), "teams": teams}, status
    )


def checkin_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("cogovern_portal:checkin", args=[token]))


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    activity = _found(lambda: selectors.activity_get(user, pk))
    url = checkin_url(request, services.checkin_token(activity))
    context = {
        "activity": activity,
        "checkin_url": url,
        "checkins": selectors.checkins_of(activity),
        "absent": selectors.volunteers_not_checked_in(activity) if access.may_work_in(user, activity.community) else [],
    }
    return _page(request, "activity_detail.html", "activities", context)


@login_required
@require_POST
def activity_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """代签到: staff check in a volunteer who has no phone at hand."""
    user = _reader(request)
    activity = _found(lambda: selectors.activity_get(user, pk))
    volunteer = selectors.volunteers_for(user).filter(pk=request.POST.get("volunteer") or 0).first()
    if volunteer is None:
        messages.error(request, _("请选择志愿者"))
    else:
        _attempt(
            request,
            lambda: services.check_in_by_staff(actor=user, activity=activity, volunteer=volunteer, now=clock.now()),
            _("已签到"),
        )
    return redirect("cogovern:activity", pk=pk)


@login_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The activity's check-in QR code (SVG) to print or show on a screen."""
    user = _reader(request)
    activity = _found(lambda: selectors.activity_get(user, pk))
    out = io.BytesIO()
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(checkin_url(request, services.checkin_token(activity)))
    code.make(fit=True)
    code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")
