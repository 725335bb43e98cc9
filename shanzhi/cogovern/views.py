"""多元共治 in the console (``/console/cogovern/``): the three lists, social forces, volunteers and activities, and
the standardised centres. Every read goes through the scoped selectors; every change through a service."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.cogovern import access, publicity, selectors, services
from shanzhi.cogovern.forms import (
    ActivityForm,
    CheckForm,
    DemandRecordForm,
    FinishForm,
    MatchForm,
    ProjectForm,
    PublicityForm,
    ReasonForm,
    ResourceForm,
    SocialForceForm,
    TeamForm,
    VolunteerForm,
)
from shanzhi.cogovern.models import (
    ChecklistItem,
    DemandState,
    Milestone,
    ProjectState,
    PublicityItem,
    SocialForceKind,
)
from shanzhi.cogovern.sections import local_bounds
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.core.file_responses import stored_file_response
from shanzhi.core.http import client_ip
from shanzhi.orgs.models import User
from shanzhi.orgs.personal_data import personal_data_reveal

TABS = (
    ("index", "概览"),
    ("demands", "需求清单"),
    ("resources", "资源清单"),
    ("projects", "项目清单"),
    ("forces", "社会力量"),
    ("teams", "志愿队伍"),
    ("activities", "志愿活动"),
    ("centres", "标准化中心"),
    ("publicity", "普法宣传"),
)


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not access.may_read(user):
        raise DjangoPermissionDenied
    return user


def _page(request: HttpRequest, template: str, tab: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    ctx = {
        "nav_active": "cogovern",
        "tab": tab,
        "tabs": [(key, _(label)) for key, label in TABS],
        "may_work": access.may_work(user),
        **context,
    }
    return render(request, f"cogovern/{template}", ctx, status=status)


def _found(get: Callable[[], Any]) -> Any:
    try:
        return get()
    except NotFound as exc:
        raise Http404 from exc


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    try:
        action()
    except ShanzhiError as error:
        messages.error(request, str(error.message))
        return False
    messages.success(request, success)
    return True


def _month_bounds() -> tuple[dt.datetime, dt.datetime, str]:
    today = clock.local_date()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    lo, hi = local_bounds(start, end)
    return lo, hi, start.strftime("%Y-%m")


# --- overview and demands ---------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    lo, hi, month = _month_bounds()
    rows = selectors.figures_for(user, start=lo, end=hi)
    open_demands = selectors.demands_for(user, state=DemandState.SUBMITTED).count()
    running = selectors.projects_for(user).filter(state__in=[ProjectState.PLANNED, ProjectState.RUNNING]).count()
    context = {
        "rows": rows,
        "month": month,
        "open_demands": open_demands,
        "running": running,
        "volunteers": selectors.volunteer_totals(user),
    }
    return _page(request, "index.html", "index", context)


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    state = request.GET.get("state", "")
    state = state if state in DemandState.values else ""
    demands = list(selectors.demands_for(user, state=state)[:300])
    context = {"demands": demands, "state": state, "states": DemandState.choices}
    return _page(request, "demand_list.html", "demands", context)


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = DemandRecordForm(request.POST or None, communities=selectors.communities_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_record(
                actor=user,
                community=form.cleaned_data["community"],
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                source=form.cleaned_data["source"],
                now=clock.now(),
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("需求已登记"))
            return redirect("cogovern:demand", pk=demand.pk)
    status = 422 if request.method == "POST" else 200
    return _page(request, "form.html", "demands", {"form": form, "heading": _("登记需求")}, status)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    demand = _found(lambda: selectors.demand_get(user, pk))
    context = {
        "demand": demand,
        "resources": list(selectors.resources_to_match(user, demand)) if demand.state == "submitted" else [],
        "project": selectors.live_project(demand),
        "project_form": ProjectForm(initial={"title": demand.title}),
        "owners": list(selectors.project_owners(user, demand.community)),
        "comments": list(demand.comments.all()),
        "may_act": access.may_work_in(user, demand.community),
    }
    return _page(request, "demand_detail.html", "demands", context)


@login_required
@require_POST
def demand_match(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    demand = _found(lambda: selectors.demand_get(user, pk))
    form = MatchForm(request.POST)
    resource = None
    if form.is_valid():
        resource = selectors.resources_for(user).filter(pk=form.cleaned_data["resource"]).first()
    if resource is None:
        messages.error(request, _("请选择要匹配的资源"))
    else:
        note = form.cleaned_data.get("note", "")
        _attempt(
            request,
            lambda: services.demand_match(actor=user, demand=demand, resource=resource, note=note, now=clock.now()),
            _("已匹配资源“%(name)s”") % {"name": resource.name},
        )
    return redirect("cogovern:demand", pk=pk)


@login_required
@require_POST
def demand_decline(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    demand = _found(lambda: selectors.demand_get(user, pk))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写未采纳原因"))
    else:
        reason = form.cleaned_data["reason"]
        _attempt(
            request,
            lambda: services.demand_decline(actor=user, demand=demand, reason=reason, now=clock.now()),
            _("已标记为未采纳"),
        )
    return redirect("cogovern:demand", pk=pk)


def _milestones(text: str) -> list[tuple[str, dt.date | None]]:
    out: list[tuple[str, dt.date | None]] = []
    for line in (text or "").splitlines()[:20]:
        parts = line.strip().rsplit(" ", 1)
        if not parts[0]:
            continue
        due = None
        if len(parts) == 2:
            try:
                due = dt.date.fromisoformat(parts[1])
            except ValueError:
                parts = [line.strip()]
        out.append((parts[0], due))
    return out


@login_required
@require_POST
def project_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    demand = _found(lambda: selectors.demand_get(user, pk))
    form = ProjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查项目信息"))
        return redirect("cogovern:demand", pk=pk)
    data = form.cleaned_data
    try:
        project = services.project_create(
            actor=user,
            demand=demand,
            title=data["title"],
            owner=selectors.project_owners(user, demand.community).filter(pk=request.POST.get("owner") or 0).first(),
            budget=data["budget"],
            beneficiaries=data["beneficiaries"],
            milestones=_milestones(data.get("milestones", "")),
            now=clock.now(),
        )
    except ShanzhiError as error:
        messages.error(request, str(error.message))
        return redirect("cogovern:demand", pk=pk)
    messages.success(request, _("项目已立项"))
    return redirect("cogovern:project", pk=project.pk)


# --- projects ---------------------------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    state = request.GET.get("state", "")
    state = state if state in ProjectState.values else ""
    projects = list(selectors.projects_for(user, state=state)[:300])
    return _page(
        request, "project_list.html", "projects", {"projects": projects, "state": state, "states": ProjectState.choices}
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    project = _found(lambda: selectors.project_get(user, pk))
    context = {
        "project": project,
        "milestones": list(project.milestones.all()),
        "may_act": access.may_work_in(user, project.community),
        "finish_form": FinishForm(),
    }
    return _page(request, "project_detail.html", "projects", context)


@login_required
@require_POST
def project_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _reader(request)
    project = _found(lambda: selectors.project_get(user, pk))
    now = clock.now()
    if action == "start":
        _attempt(request, lambda: services.project_start(actor=user, project=project, now=now), _("项目已开始实施"))
    elif action == "finish":
        result = request.POST.get("result", "")
        _attempt(
            request,
            lambda: services.project_finish(actor=user, project=project, result=result, now=now),
            _("项目已完成"),
        )
    elif action == "cancel":
        reason = request.POST.get("reason", "")
        _attempt(
            request,
            lambda: services.project_cancel(actor=user, project=project, reason=reason, now=now),
            _("项目已撤销"),
        )
    else:
        raise Http404
    return redirect("cogovern:project", pk=pk)


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    user = _reader(request)
    project = _found(lambda: selectors.project_get(user, pk))
    milestone = Milestone.objects.filter(pk=milestone_id, project=project).first()
    if milestone is None:
        raise Http404
    _attempt(
        request, lambda: services.milestone_done(actor=user, milestone=milestone, now=clock.now()), _("节点已完成")
    )
    return redirect("cogovern:project", pk=pk)


# --- resources and social forces ----------------------------------------------------------------------------------


@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return _page(request, "resource_list.html", "resources", {"resources": list(selectors.resources_for(user)[:500])})


@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = ResourceForm(request.POST or None, communities=selectors.communities_for(user))
    providers = list(selectors.social_forces_for(user).filter(kind__in=["social_org", "enterprise"]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        provider = next((p for p in providers if p.pk == data.get("provider")), None)
        try:
            services.resource_create(
                actor=user,
                community=data["community"],
                kind=data["kind"],
                name=data["name"],
                description=data.get("description", ""),
                provider=provider,
                capacity=data["capacity"],
                now=clock.now(),
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("资源已登记"))
            return redirect("cogovern:resources")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "heading": _("登记资源"), "providers": providers}
    return _page(request, "form.html", "resources", context, status)


@login_required
def force_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in SocialForceKind.values else ""
    forces = list(selectors.social_forces_for(user, kind=kind)[:500])
    context = {"forces": forces, "kind": kind, "kinds": SocialForceKind.choices}
    return _page(request, "force_list.html", "forces", context)


@login_required
def force_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = SocialForceForm(request.POST or None, communities=selectors.communities_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.social_force_register(actor=user, now=clock.now(), **form.cleaned_data)
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("已登记"))
            return redirect("cogovern:forces")
    status = 422 if request.method == "POST" else 200
    return _page(request, "form.html", "forces", {"form": form, "heading": _("登记社会力量")}, status)


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


# --- standardised centres -----------------------------------------------------------------------------------------


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return _page(request, "centre_list.html", "centres", {"standings": selectors.centre_overview(user)})


@login_required
def centre_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = _reader(request)
    unit, lines = _found(lambda: selectors.centre_checklist(user, unit_id))
    if request.method == "POST":
        form = CheckForm(request.POST)
        item = ChecklistItem.objects.filter(pk=request.POST.get("item") or 0).first() if form.is_valid() else None
        upload = request.FILES.get("file")
        if item is None:
            messages.error(request, _("请选择标准项"))
        elif request.POST.get("op") == "upload":
            if upload is None:
                messages.error(request, _("请选择要上传的文件"))
            else:
                _attempt(
                    request,
                    lambda: services.centre_evidence_add(
                        actor=user, unit=unit, item=item, upload=upload, name=upload.name or "", now=clock.now()
                    ),
                    _("佐证材料已上传"),
                )
        else:
            _attempt(
                request,
                lambda: services.centre_check_set(
                    actor=user,
                    unit=unit,
                    item=item,
                    is_met=form.cleaned_data["is_met"],
                    evidence=form.cleaned_data.get("evidence", ""),
                    now=clock.now(),
                ),
                _("已保存"),
            )
        return redirect("cogovern:centre", unit_id=unit_id)
    return _page(request, "centre_detail.html", "centres", {"unit": unit, "lines": lines})


@login_required
def centre_evidence(request: HttpRequest, unit_id: int, evidence_id: int) -> HttpResponseBase:
    user = _reader(request)
    evidence = _found(lambda: selectors.centre_evidence_get(user, unit_id, evidence_id))
    return stored_file_response(evidence.file, content_type=evidence.content_type, filename=evidence.original_name)


# --- legal publicity ----------------------------------------------------------------------------------------------


@login_required
def publicity_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    items = list(publicity.items_for_console(user)[:300])
    return _page(
        request, "publicity_list.html", "publicity", {"items": items, "may_publish": publicity.may_publish(user)}
    )


@login_required
def publicity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = _reader(request)
    if not publicity.may_publish(user):
        raise DjangoPermissionDenied
    item = PublicityItem.objects.filter(pk=pk).first() if pk else None
    if pk and item is None:
        raise Http404
    initial = {f: getattr(item, f) for f in PublicityForm.base_fields} if item else None
    form = PublicityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = publicity.publicity_save(
                actor=user, draft=publicity.Draft(**form.cleaned_data), item=item, now=clock.now()
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("已保存“%(title)s”") % {"title": saved.title})
            return redirect("cogovern:publicity")
    status = 422 if request.method == "POST" else 200
    return _page(request, "form.html", "publicity", {"form": form, "heading": _("普法宣传内容")}, status)


@login_required
@require_POST
def publicity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    item = PublicityItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    published = request.POST.get("published") == "1"
    _attempt(
        request,
        lambda: publicity.publicity_publish(actor=user, item=item, published=published, now=clock.now()),
        _("已发布") if published else _("已撤回"),
    )
    return redirect("cogovern:publicity")
