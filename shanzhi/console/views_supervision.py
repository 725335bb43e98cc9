"""督办单 in the console: the list of orders (a unit's open orders, the centre's desk), one order with its steps, and
the manual order from the appeal page. Views parse the form; :mod:`shanzhi.supervision.services` decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shanzhi.appeals.models import Appeal
from shanzhi.appeals.selectors import appeal_get
from shanzhi.console.views import current_user
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User
from shanzhi.supervision import rules, selectors, services
from shanzhi.supervision.models import SupervisionLevel, SupervisionOrder

TEXT_ATTRS = {"class": "form-control form-control-sm", "rows": 3, "maxlength": 2000}
FILTER_LABELS = {
    "open": gettext_lazy("待回复"),
    "replied": gettext_lazy("已回复"),
    "late": gettext_lazy("回复超时"),
    "closed": gettext_lazy("已办结"),
    "all": gettext_lazy("全部"),
}


class IssueForm(forms.Form):
    assignment = forms.TypedChoiceField(label=gettext_lazy("被督办派单"), coerce=int, choices=())
    level = forms.ChoiceField(
        label=gettext_lazy("督办级别"),
        choices=SupervisionLevel.choices,
        initial=SupervisionLevel.YELLOW,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    reason = forms.CharField(label=gettext_lazy("督办事由"), max_length=2000, widget=forms.Textarea(attrs=TEXT_ATTRS))

    def __init__(self, *args: Any, assignments: Sequence[Any] = (), **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_supervise_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.pk, f"{a.unit.name}（{a.get_role_display()}，第{a.round}轮）") for a in assignments]
        field.widget.attrs["class"] = "form-select form-select-sm"


class ReplyForm(forms.Form):
    reply = forms.CharField(label=gettext_lazy("回复内容"), max_length=2000, widget=forms.Textarea(attrs=TEXT_ATTRS))


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("意见"), max_length=2000, widget=forms.Textarea(attrs=TEXT_ATTRS))


class CloseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("办结意见"), max_length=2000, required=False, widget=forms.Textarea(attrs=TEXT_ATTRS)
    )


#: step → (form, service, the message on success, its label).
STEPS: dict[str, tuple[type[forms.Form], Any, Any, Any]] = {
    "reply": (ReplyForm, services.supervision_reply, gettext_lazy("已回复督办单"), gettext_lazy("回复督办")),
    "urge": (NoteForm, services.supervision_urge, gettext_lazy("已催办"), gettext_lazy("催办")),
    "reject": (NoteForm, services.supervision_reject, gettext_lazy("已退回重新回复"), gettext_lazy("退回重新回复")),
    "close": (CloseForm, services.supervision_close, gettext_lazy("督办单已办结"), gettext_lazy("办结督办单")),
}


def may_open_orders(user: User) -> bool:
    """The order list: the centre's issuers and the staff who answer for a unit."""
    return permissions.may_issue_supervision(user) or selectors.answers_for_unit(user)


def bench_counter(user: User) -> dict[str, Any]:
    """The unit work bench's 督办待回复 counter, leading to the unit's open orders."""
    return {
        "key": "supervision",
        "label": _("督办待回复"),
        "count": selectors.unit_open_orders_count(user),
        "url": reverse("console:supervision_orders") + "?mine=1&state=open",
    }


def steps_for(user: User, order: SupervisionOrder) -> list[str]:
    """The steps ``user`` may take on ``order`` now (the services check again)."""
    codes = []
    is_unit = user.is_superuser or (selectors.answers_for_unit(user) and user.unit_id == order.unit_id)
    for code in ("reply", "urge", "reject", "close"):
        if not rules.may_transition(code, order.state):
            continue
        centre = code in rules.CENTRE_ACTIONS and permissions.may_issue_supervision(user)
        if centre or (code in rules.UNIT_ACTIONS and is_unit):
            codes.append(code)
    return codes


def supervision_panel(user: User, appeal: Appeal) -> dict[str, Any]:
    """What the appeal page's 督办 panel shows: the orders ``user`` may see, and the issue form for the centre."""
    assignments = selectors.supervisable_assignments(user=user, appeal=appeal)
    return {
        "orders": selectors.orders_of_appeal(user=user, appeal=appeal),
        "issue_form": IssueForm(assignments=assignments) if assignments else None,
        "warned": appeal.warning in ("yellow", "red"),
    }


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not may_open_orders(user):
        raise DjangoPermissionDenied
    mine = request.GET.get("mine") == "1" or not permissions.may_issue_supervision(user)
    state = request.GET.get("state") or "open"
    if state not in selectors.STATE_FILTERS:
        state = "open"
    counts = selectors.order_counts(user=user, mine=mine)
    mine_q = "mine=1&" if mine else ""
    return render(
        request,
        "console/supervision_orders.html",
        {
            "rows": selectors.order_list(user=user, state=state, mine=mine),
            "state": state,
            "mine": mine,
            "may_switch": permissions.may_issue_supervision(user) and selectors.answers_for_unit(user),
            "filters": [
                {"code": c, "label": FILTER_LABELS[c], "count": counts[c], "url": f"?{mine_q}state={c}"}
                for c in selectors.STATE_FILTERS
            ],
            "now": clock.now(),
            "nav_active": "supervision_orders",
        },
    )


def _load(user: User, order_id: int) -> SupervisionOrder:
    try:
        return selectors.order_get(user=user, pk=order_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _detail(
    request: HttpRequest, order: SupervisionOrder, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = current_user(request)
    bound = bound or {}
    steps = [
        {"code": code, "label": STEPS[code][3], "form": bound.get(code) or STEPS[code][0](auto_id=f"id_{code}_%s")}
        for code in steps_for(user, order)
    ]
    now = clock.now()
    return render(
        request,
        "console/supervision_order.html",
        {
            "order": order,
            "steps": steps,
            "urges": list(order.urges.select_related("by").order_by("at", "id")),
            "reply_overdue": rules.is_overdue_for_reply(state=order.state, reply_due_at=order.reply_due_at, now=now),
            "now": now,
            "nav_active": "supervision_orders",
        },
        status=status,
    )


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    user = current_user(request)
    return _detail(request, _load(user, order_id))


def _step(request: HttpRequest, order_id: int, code: str) -> HttpResponse:
    user = current_user(request)
    order = _load(user, order_id)
    form_class, service, done, _label = STEPS[code]
    form = form_class(request.POST, auto_id=f"id_{code}_%s")
    if not form.is_valid():
        return _detail(request, order, {code: form}, status=422)
    field = "reply" if code == "reply" else "note"
    try:
        service(actor=user, order=order, **{field: form.cleaned_data[field]})
    except ShanzhiError as exc:
        # the step may no longer be on offer (someone else acted first): the refusal goes to the page's messages
        messages.error(request, str(exc.message))
        return _detail(request, selectors.order_get(user=user, pk=order.pk), {code: form}, status=exc.status)
    messages.success(request, str(done))
    return redirect("console:supervision_order", order_id=order.pk)


@login_required
@require_POST
def order_reply(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(request, order_id, "reply")


@login_required
@require_POST
def order_urge(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(request, order_id, "urge")


@login_required
@require_POST
def order_reject(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(request, order_id, "reject")


@login_required
@require_POST
def order_close(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(request, order_id, "close")


@login_required
@require_POST
def order_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """人工督办 from the appeal page: the centre presses one of the appeal's active assignments."""
    user = current_user(request)
    try:
        appeal = appeal_get(user=user, key=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    assignments = selectors.supervisable_assignments(user=user, appeal=appeal)
    if not assignments:
        raise DjangoPermissionDenied
    form = IssueForm(request.POST, assignments=assignments)
    if form.is_valid():
        chosen = next(a for a in assignments if a.pk == form.cleaned_data["assignment"])
        try:
            order = services.supervision_issue(
                actor=user, assignment=chosen, level=form.cleaned_data["level"], reason=form.cleaned_data["reason"]
            )
        except ShanzhiError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已向 %(unit)s 发出督办单") % {"unit": chosen.unit.name})
            return redirect("console:supervision_order", order_id=order.pk)
    else:
        messages.error(request, _("请选择被督办的派单并填写督办事由"))
    return redirect(reverse("console:appeal", args=[appeal.pk]) + "#supervision-h")
