"""物联感知 in the console, device health and care: maintenance work orders (list, close) and the care rule for
residents living alone (residents under care, masked; visit tasks; enrolment with consent). Reads and writes go
through :mod:`shanzhi.iot.maintenance` and :mod:`shanzhi.iot.care` (the viewer's scope); outside it, 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.iot import care, maintenance, selectors
from shanzhi.iot.models import CareConsentMethod, CareTaskState, MaintenanceState
from shanzhi.iot.views import may_open_console
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import is_active_staff


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not is_active_staff(user):
        raise Http404
    return user


@login_required
def maintenance_orders(request: HttpRequest) -> HttpResponse:
    """维保工单: the centre, the territorial units (their grids' devices) and the maintainers (their own orders)."""
    user = _staff(request)
    if not may_open_console(user) and not maintenance.maintenance_visible_to(user).exists():
        raise Http404
    state = request.GET.get("state", MaintenanceState.OPEN)
    if state not in MaintenanceState.values and state != "":
        state = MaintenanceState.OPEN
    overdue = request.GET.get("overdue") == "1"
    orders = list(maintenance.maintenance_list(user=user, state=state or None, overdue=overdue)[:300])
    context = {
        "nav_active": "iot",
        "orders": [(o, maintenance.may_close(user, o)) for o in orders],
        "state": state,
        "overdue": overdue,
        "states": [("", _("全部")), *[(c, _(label)) for c, label in MaintenanceState.choices]],
        "now": clock.now(),
        "console_tabs": may_open_console(user),
    }
    return render(request, "iot/maintenance.html", context)


@login_required
@require_POST
def maintenance_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    try:
        maintenance.maintenance_close(actor=user, order_id=pk, note=request.POST.get("note", ""))
    except NotFound as error:
        raise Http404 from error
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("维保工单已关闭"))
    return redirect("iot:maintenance")


def _care_user(request: HttpRequest) -> User:
    user = _staff(request)
    if not may_open_console(user):
        raise Http404
    return user


@login_required
def care_page(request: HttpRequest) -> HttpResponse:
    """独居关爱: open visit tasks first, then the residents under care (masked), and the enrolment form."""
    user = _care_user(request)
    tasks = list(care.tasks_visible_to(user).filter(state=CareTaskState.OPEN).order_by("created_at", "pk")[:200])
    enrolments = list(care.enrolments_visible_to(user).filter(is_active=True).order_by("grid__code", "pk")[:300])
    context = {
        "nav_active": "iot",
        "tasks": [(t, care.masked(t.enrolment)) for t in tasks],
        "enrolments": [(e, care.masked(e)) for e in enrolments],
        "grids": list(selectors.grids_visible_to(user).order_by("code")),
        "consent_methods": [(c, _(label)) for c, label in CareConsentMethod.choices],
        "now": clock.now(),
    }
    return render(request, "iot/care.html", context)


@login_required
@require_POST
def care_enrol(request: HttpRequest) -> HttpResponse:
    user = _care_user(request)
    grid = selectors.grids_visible_to(user).filter(code=request.POST.get("grid", "")).first()
    if grid is None:
        messages.error(request, _("请选择您辖区内的网格"))
        return redirect("iot:care")
    try:
        quiet_days = int(request.POST.get("quiet_days") or 3)
    except ValueError:
        quiet_days = 0
    try:
        care.care_enrol(
            actor=user,
            grid=grid,
            resident_name=request.POST.get("resident_name", ""),
            resident_phone=request.POST.get("resident_phone", ""),
            address=request.POST.get("address", ""),
            credential=request.POST.get("credential", ""),
            quiet_days=quiet_days,
            consent_method=request.POST.get("consent_method", "") if request.POST.get("consent") == "1" else "",
            consent_note=request.POST.get("consent_note", ""),
        )
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已登记关爱对象"))
    return redirect("iot:care")


@login_required
@require_POST
def care_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _care_user(request)
    try:
        care.care_withdraw(actor=user, enrolment_id=pk, note=request.POST.get("note", ""))
    except NotFound as error:
        raise Http404 from error
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已退出关爱"))
    return redirect("iot:care")


@login_required
@require_POST
def care_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = _care_user(request)
    try:
        care.care_task_done(actor=user, task_id=pk, outcome=request.POST.get("outcome", ""))
    except NotFound as error:
        raise Http404 from error
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已记录走访情况"))
    return redirect("iot:care")
