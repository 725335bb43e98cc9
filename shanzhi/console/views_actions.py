"""POST handlers of the actions on the appeal detail page: parse the form, call the use case, redirect.

A refusal (a :class:`ShanzhiError`) is shown to the user with the typed input kept; nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.guards import lock_appeal_at_version
from shanzhi.appeals.models import Appeal, Assignment, AssignmentRequest
from shanzhi.appeals.selectors import appeal_get, my_assignment
from shanzhi.console.action_forms import yes_no
from shanzhi.console.views import current_user
from shanzhi.console.views_detail import ACTION_FORMS, detail_context, load_appeal, make_action_form
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ShanzhiError
from shanzhi.orgs.models import User

Handler = Callable[[User, Appeal, dict[str, Any]], str]


def _mine(user: User, appeal: Appeal) -> Assignment:
    assignment = my_assignment(user=user, appeal=appeal)
    if assignment is None:
        raise PermissionDenied(_("该诉求没有派给您单位的待办派单"), code="not_your_assignment")
    return assignment


def _accept(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    done = services.appeal_accept(actor=user, appeal=appeal, category=d["category"] or None, dispatch=d["dispatch"])
    if done.lead_unit is not None and done.state == "dispatched":
        return _("已受理并派遣至 %(unit)s") % {"unit": done.lead_unit.name}
    return _("已受理")


def _reject(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_reject(actor=user, appeal=appeal, reason_code=d["reason_code"], note=d["note"])
    return _("已不予受理")


def _answer(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_answer(actor=user, appeal=appeal, answer=d["answer"], article_ref=d["article_ref"])
    return _("已直接答复并办结")


def _request_info(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_request_info(actor=user, appeal=appeal, question=d["question"])
    return _("已要求诉求人补充，计时暂停")


def _supply_info(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_supply_info(actor=user, appeal=appeal, text=d["text"])
    return _("已补充，恢复办理")


def _dispatch(user: User, appeal: Appeal, d: dict[str, Any], lead: Any = None, assisting: Any = ()) -> str:
    done = services.appeal_dispatch(
        actor=user, appeal=appeal, lead_unit=lead, assisting_units=assisting, reason=d["reason"]
    )
    return _("已派遣至 %(unit)s") % {"unit": done.lead_unit.name if done.lead_unit else ""}


def _merge(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    master = appeal_get(user=user, key=d["master"].strip())
    services.appeal_merge(actor=user, appeal=appeal, master=master, reason=d["reason"])
    return _("已合并到 %(no)s") % {"no": master.tracking_no}


def _sign(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    unit_work.assignment_sign(actor=user, assignment=_mine(user, appeal))
    return _("已签收")


def _contact(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    unit_work.assignment_record_contact(actor=user, assignment=_mine(user, appeal), note=d["note"])
    return _("已记录联系情况")


def _feedback(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    assignment = _mine(user, appeal)
    photos = d.get("photos") or []
    unit_work.assignment_feedback(
        actor=user, assignment=assignment, text=d["text"], resolved=yes_no(d["resolved"]) is True, photos=photos
    )
    done = _("已提交处置反馈")
    if assignment.role == "assisting":
        done = _("协办反馈已提交，主办单位可见")
    if photos:
        done = _("%(done)s（照片 %(n)s 张）") % {"done": done, "n": len(photos)}
    return done


def _request(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    unit_work.assignment_request(
        actor=user,
        assignment=_mine(user, appeal),
        kind=d["kind"],
        reason=d["reason"],
        basis=d["basis"],
        extra_working_days=d["extra_working_days"],
    )
    return _("申请已提交，等待中心审批")


def _decide_request(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    request = AssignmentRequest.objects.filter(pk=d["request_id"], assignment__appeal=appeal).first()
    if request is None:
        raise NotFound()
    approve = d["decision"] == "approve"
    unit_work.request_decide(actor=user, request=request, approve=approve, note=d["note"])
    return _("已同意申请") if approve else _("已驳回申请")


def _unshelve(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    assignment = appeal.assignments.filter(pk=d["assignment_id"]).first()
    if assignment is None:
        raise NotFound()
    unit_work.assignment_unshelve(actor=user, assignment=assignment, note=d["note"])
    return _("已解除挂账")


def _reply(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_reply(actor=user, appeal=appeal, text=d["text"])
    return _("已统一答复，待回访")


def _redo(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_redo(actor=user, appeal=appeal, reason=d["reason"])
    return _("已退回重办")


def _follow_up(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    reached = yes_no(d["reached"]) is not False
    done = services.appeal_follow_up(
        actor=user, appeal=appeal, rating=d["rating"], resolved=yes_no(d["resolved"]), reached=reached, note=d["note"]
    )
    if done.state == "closed":
        return _("回访已记录，诉求已办结")
    if not reached:
        return _("未联系上，稍后再次回访")
    return _("回访已记录，诉求转重办")


def _close(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_close(actor=user, appeal=appeal, note=d["note"])
    return _("已办结")


def _reopen(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_reopen(actor=user, appeal=appeal, reason=d["reason"])
    return _("已重新办理，派回原承办单位")


def _withdraw(user: User, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_withdraw(actor=user, appeal=appeal, reason=d["reason"])  # refused for staff by the table
    return _("已撤销")


HANDLERS: dict[str, Handler] = {
    "accept": _accept,
    "reject": _reject,
    "answer": _answer,
    "request_info": _request_info,
    "supply_info": _supply_info,
    "merge": _merge,
    "sign": _sign,
    "contact": _contact,
    "feedback": _feedback,
    "request": _request,
    "decide_request": _decide_request,
    "unshelve": _unshelve,
    "reply": _reply,
    "redo": _redo,
    "follow_up": _follow_up,
    "close": _close,
    "reopen": _reopen,
    "withdraw": _withdraw,
}


def _run(code: str, user: User, appeal: Appeal, form: Any) -> str:
    """Take the action in one transaction; with the page's version, only if nobody changed the appeal since."""
    with transaction.atomic():
        version = form.cleaned_data.get("version")
        if version is not None:
            lock_appeal_at_version(appeal, version)
        return _call(code, user, appeal, form)


def _call(code: str, user: User, appeal: Appeal, form: Any) -> str:
    if code == "dispatch":
        lead, assisting = form.units()
        return _dispatch(user, appeal, form.cleaned_data, lead, assisting)
    return HANDLERS[code](user, appeal, form.cleaned_data)


@login_required
@require_POST
def appeal_action(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    user = current_user(request)
    appeal = load_appeal(user, pk)
    if code not in ACTION_FORMS:
        raise Http404
    form = make_action_form(code, request.POST)
    if code == "feedback":  # the one form that takes files (处置照片)
        form = ACTION_FORMS[code](request.POST, request.FILES, auto_id=f"id_{code}_%s")
    status = 422
    if form.is_valid():
        try:
            message = _run(code, user, appeal, form)
        except ShanzhiError as exc:
            form.add_error(None, str(exc.message))
            if isinstance(exc, Conflict):
                status = exc.status
        else:
            messages.success(request, message)
            return redirect("console:appeal", pk=appeal.pk)
    appeal = load_appeal(user, pk)
    if status == Conflict.status:
        # The page is drawn again from the appeal as it is now: the form goes on from its current version.
        form.data = form.data.copy()
        form.data["version"] = str(appeal.version)
    context = detail_context(request, appeal, bound={code: form}, open_action=code)
    if code not in {a["code"] for a in context["actions"]}:
        # The form is not on the page (the action is not open to this user now): say why at the top.
        for error in form.non_field_errors() or [_("当前不能执行此操作")]:
            messages.error(request, error)
    return render(request, "console/appeal_detail.html", context, status=status)
