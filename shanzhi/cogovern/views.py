"""多元共治 in the console (``/console/cogovern/``): the three lists, social forces, volunteers and activities, and
the standardised centres. Every read goes through the scoped selectors; every change through a service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.cogovern import access, selectors, services
from shanzhi.cogovern.forms import (
    DemandRecordForm,
    FinishForm,
    MatchForm,
    ProjectForm,
    ReasonForm,
    ResourceForm,
    SocialForceForm,
)
from shanzhi.cogovern.models import (
    DemandState,
    Milestone,
    ProjectState,
    SocialForceKind,
)
from shanzhi.cogovern.sections import local_bounds
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.orgs.models import User

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
