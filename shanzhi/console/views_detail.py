"""The appeal detail page: the citizen's words and place on the left; actions and the timeline on the right."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals import rules
from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, AssignmentState, ReplyTemplate
from shanzhi.appeals.selectors import (
    allowed_actions,
    appeal_get,
    appeal_timeline,
    attachment_get,
    my_assignment,
    pending_requests,
)
from shanzhi.console import action_forms, display, personal_data, queues
from shanzhi.console.routing_suggestions import returned_unit_ids
from shanzhi.console.views import current_user
from shanzhi.console.views_supervision import supervision_panel
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.core.file_responses import stored_file_response
from shanzhi.core.http import client_ip
from shanzhi.mediation.appeal_panel import appeal_panel_context
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User
from shanzhi.routing.services import DispatchPlan, dispatch_plan

ACTION_FORMS: dict[str, type] = {
    "accept": action_forms.AcceptForm,
    "reject": action_forms.RejectForm,
    "answer": action_forms.AnswerForm,
    "request_info": action_forms.RequestInfoForm,
    "supply_info": action_forms.SupplyInfoForm,
    "dispatch": action_forms.DispatchForm,
    "merge": action_forms.MergeForm,
    "sign": action_forms.SignForm,
    "contact": action_forms.ContactForm,
    "feedback": action_forms.FeedbackForm,
    "request": action_forms.UnitRequestForm,
    "decide_request": action_forms.DecideRequestForm,
    "unshelve": action_forms.UnshelveForm,
    "reply": action_forms.ReplyForm,
    "redo": action_forms.RedoForm,
    "follow_up": action_forms.FollowUpForm,
    "close": action_forms.CloseForm,
    "reopen": action_forms.ReopenForm,
    "withdraw": action_forms.WithdrawForm,  # the IoT process's: never offered to staff (the rules table)
}


def make_action_form(code: str, data: Any = None, initial: dict[str, Any] | None = None) -> Any:
    """The form of one action; ids are prefixed with the action so several forms live on one page."""
    return ACTION_FORMS[code](data, initial=initial, auto_id=f"id_{code}_%s")


# Actions shown as one button with no fields.
ONE_CLICK = frozenset({"sign"})


@dataclass(frozen=True)
class TimelineRow:
    event: AppealEvent
    since_previous: str


def load_appeal(user: User, pk: int) -> Appeal:
    try:
        return appeal_get(user=user, key=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def timeline_rows(appeal: Appeal) -> list[TimelineRow]:
    rows, previous = [], None
    for event in appeal_timeline(appeal=appeal):
        since = display.humanize_duration(event.created_at - previous) if previous is not None else ""
        rows.append(TimelineRow(event, since))
        previous = event.created_at
    return rows


def _fill_template(body: str, appeal: Appeal, feedback: str) -> str:
    values = {
        "{tracking_no}": appeal.tracking_no,
        "{unit}": appeal.lead_unit.name if appeal.lead_unit else "",
        "{feedback}": feedback,
    }
    for key, value in values.items():
        body = body.replace(key, value)
    return body


def _lead_feedback(appeal: Appeal) -> str:
    lead = (
        appeal.assignments.filter(round=appeal.round, role="lead", state=AssignmentState.DONE)
        .order_by("-done_at")
        .first()
    )
    return lead.feedback if lead else ""


def _shelved(user: User, appeal: Appeal) -> list:
    if not permissions.may_dispatch(user):
        return []
    if appeal.state not in (AppealState.DISPATCHED, AppealState.IN_PROGRESS):
        return []
    return list(appeal.assignments.filter(state=AssignmentState.SHELVED).select_related("unit"))


def detail_context(
    request: HttpRequest,
    appeal: Appeal,
    *,
    bound: dict[str, Any] | None = None,
    open_action: str = "",
    citizen: personal_data.CitizenData | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    bound = bound or {}
    now = clock.now()
    codes = allowed_actions(user=user, appeal=appeal)
    shelved = _shelved(user, appeal)
    if shelved:
        codes.append("unshelve")
    feedback = _lead_feedback(appeal)
    plan = (
        dispatch_plan(category=appeal.category, area=appeal.area, exclude_units=returned_unit_ids(appeal))
        if "dispatch" in codes
        else None
    )
    # 按此派单: the machine's top three, for a dispatcher while the appeal waits to be dispatched (or accepted).
    may_suggest = permissions.may_dispatch(user) and bool({"dispatch", "accept"}.intersection(codes))
    suggestions = queues.suggestions_of(appeal) if may_suggest else []
    actions = []
    for code in codes:
        form = bound.get(code)
        if form is None:
            form = make_action_form(code, initial={**_initial(code, appeal, feedback, plan), "version": appeal.version})
        label = rules.ACTIONS[code].label if code in rules.ACTIONS else _("解除挂账")
        actions.append({"code": code, "label": label, "form": form, "one_click": code in ONE_CLICK})
    templates = (
        [
            {"id": t.pk, "body": _fill_template(t.body, appeal, feedback)}
            for t in ReplyTemplate.objects.filter(is_active=True)
        ]
        if "reply" in codes
        else []
    )
    return {
        "appeal": appeal,
        # the title is derived from the content when the operator left it empty: do not show it twice
        "show_title": bool(appeal.title) and not appeal.content.startswith(appeal.title),
        "citizen": citizen or personal_data.citizen_masked(appeal),
        "may_reveal": personal_data.may_reveal(user, appeal),
        "reveal_form": action_forms.RevealForm(),
        "timeline": timeline_rows(appeal),
        "assignments": list(
            appeal.assignments.select_related("unit").prefetch_related("attachments").order_by("-round", "role", "id")
        ),
        "attachments": list(appeal.attachments.filter(assignment__isnull=True).order_by("uploaded_at", "id")),
        "follow_ups": list(appeal.follow_ups.select_related("by").order_by("at")),
        "actions": actions,
        "open_action": open_action,
        "plan": plan,
        "suggestions": suggestions,
        "duplicate_proposals": queues.visible_proposals_for(user, appeal) if "merge" in codes else [],
        "requests": pending_requests(appeal=appeal) if "decide_request" in codes else [],
        "shelved": shelved,
        "mine": my_assignment(user=user, appeal=appeal),
        "reply_templates": templates,
        "supervision": supervision_panel(user, appeal),
        "now": now,
        "nav_active": "workbench",
        "mediation_panel": appeal_panel_context(user, appeal),
    }


def _initial(code: str, appeal: Appeal, feedback: str, plan: DispatchPlan | None) -> dict[str, Any]:
    """What each form starts with: the catalogue's plan for dispatch, the lead's feedback for the reply."""
    if code == "accept" and appeal.category_id:
        return {"category": str(appeal.category_id), "dispatch": True}
    if code == "dispatch" and plan is not None:
        return {
            "lead_unit": str(plan.lead_unit.pk) if plan.lead_unit else "",
            "assisting_units": [str(u.pk) for u in plan.assisting_units],
        }
    if code == "reply":
        return {"text": feedback}
    if code == "follow_up":
        return {"reached": "yes", "resolved": "yes", "rating": "satisfied"}
    return {}


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = load_appeal(current_user(request), pk)
    return render(request, "console/appeal_detail.html", detail_context(request, appeal))


@login_required
def appeal_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """A photo or document of an appeal, for staff who may see the appeal (files have no public address)."""
    try:
        attachment = attachment_get(user=current_user(request), appeal_id=pk, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return stored_file_response(
        attachment.file, content_type=attachment.content_type, filename=attachment.original_name
    )


@login_required
@require_POST
def reveal_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """显示: the full personal data after a typed reason; logged. HTMX gets the block, a plain POST the page."""
    user = current_user(request)
    appeal = load_appeal(user, pk)
    form = action_forms.RevealForm(request.POST)
    error = ""
    citizen = None
    status = 200
    if form.is_valid():
        try:
            citizen = personal_data.personal_data_reveal(
                user=user, appeal=appeal, reason=form.cleaned_data["reason"], ip_address=client_ip(request)
            )
        except ShanzhiError as exc:
            error, status = str(exc.message), exc.status
    else:
        error, status = _("请填写查看完整信息的事由"), 422
    context = {
        "appeal": appeal,
        "citizen": citizen or personal_data.citizen_masked(appeal),
        "may_reveal": personal_data.may_reveal(user, appeal),
        "reveal_form": form,
        "reveal_error": error,
    }
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers; the refusal is shown inside the block.
        return render(request, "console/partials/citizen.html", context)
    full = detail_context(request, appeal, citizen=citizen)
    full.update(reveal_form=form, reveal_error=error)
    return render(request, "console/appeal_detail.html", full, status=status)
