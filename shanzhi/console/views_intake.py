"""Hotline intake (诉求受理): caller number → their earlier appeals beside the form; Ctrl+Enter submits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.services import appeal_intake
from shanzhi.console import navigation, queues
from shanzhi.console.forms import IntakeForm
from shanzhi.console.views import current_user
from shanzhi.core import pii
from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs.models import User


def _add_attachments(request: HttpRequest, user: User, appeal: Appeal, uploads: list) -> None:
    """Each file goes through the appeal's attachment service; a refused file is reported, the appeal stays."""
    if not uploads:
        return
    from shanzhi.appeals.attachments import attachment_add

    for upload in uploads:
        try:
            attachment_add(actor=user, appeal=appeal, upload=upload)
        except ShanzhiError as exc:
            messages.warning(request, _("附件“%(name)s”未保存：%(msg)s") % {"name": upload.name, "msg": exc.message})


def _outcome_message(appeal: Appeal) -> str:
    if appeal.state == AppealState.DISPATCHED and appeal.lead_unit is not None:
        return _("已受理，编号 %(no)s，已派遣至 %(unit)s") % {"no": appeal.tracking_no, "unit": appeal.lead_unit.name}
    if appeal.state == AppealState.ACCEPTED:
        return _("已受理，编号 %(no)s，等待派单员派遣") % {"no": appeal.tracking_no}
    return _("已登记，编号 %(no)s，待受理") % {"no": appeal.tracking_no}


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not navigation.may_intake(user):
        raise DjangoPermissionDenied
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = appeal_intake(
                    actor=user,
                    channel=data["channel"],
                    content=data["content"],
                    title=data["title"],
                    appeal_type=data["appeal_type"],
                    urgency=data["urgency"] or None,
                    category=data["category"] or None,
                    citizen_name=data["citizen_name"],
                    citizen_phone=data["citizen_phone"],
                    is_anonymous=data["is_anonymous"],
                    wants_reply=data["wants_reply"],
                    address=data["address"],
                    longitude=data["longitude"],
                    latitude=data["latitude"],
                    area=form.area_unit(),
                    idempotency_key=data["idempotency_key"],
                    structured=not data["raw_only"],
                )
            except ShanzhiError as exc:
                form.add_error(None, str(exc.message))
            else:
                appeal = result.appeal
                if result.created:
                    _add_attachments(request, user, appeal, data["attachments"])
                    messages.success(request, _outcome_message(appeal))
                else:
                    messages.info(request, _("该诉求已登记过，编号 %(no)s") % {"no": appeal.tracking_no})
                return redirect("console:appeal", pk=appeal.pk)
        status = 422
    else:
        form = IntakeForm(initial={"citizen_phone": request.GET.get("phone", "")})
        status = 200
    return render(request, "console/intake.html", {"form": form, "nav_active": "intake"}, status=status)


@login_required
def caller_history(request: HttpRequest) -> HttpResponse:
    """The caller's earlier appeals (HTMX partial), only those in the operator's scope, phone masked."""
    user = current_user(request)
    if not navigation.may_intake(user):
        raise DjangoPermissionDenied
    phone = pii.normalize_phone(request.GET.get("citizen_phone") or request.GET.get("phone") or "")
    valid = bool(phone) and pii.phone_is_valid(phone)
    rows = queues.appeals_by_phone(user=user, phone=phone, limit=10) if valid else []
    return render(
        request,
        "console/partials/caller_history.html",
        {"rows": rows, "phone": pii.mask_phone(phone) if valid else "", "entered": bool(phone), "valid": valid},
    )
