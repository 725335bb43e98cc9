"""系统管理 → 个人信息查阅与删除: staff handle a citizen's request to get a copy of, or delete, what the centre holds
about them (rules in :mod:`shanzhi.appeals.citizen_requests`). The copy is a JSON file, never shown on the page."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shanzhi.appeals.citizen_requests import citizen_data_erase, citizen_data_export
from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.core.http import client_ip
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_handle_citizen_requests


class CitizenRequestForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("申请人电话"), max_length=20)
    reason = forms.CharField(
        label=gettext_lazy("办理事由"),
        max_length=200,
        help_text=gettext_lazy("如申请编号、核验申请人身份的方式（记入审计日志）"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("申请类型"),
        choices=[("export", gettext_lazy("查阅复制（导出文件）")), ("erase", gettext_lazy("删除（匿名化已办结诉求）"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("phone", "reason"):
            self.fields[name].widget.attrs["class"] = "form-control"


def _handler(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_handle_citizen_requests(user):
        raise DjangoPermissionDenied
    return user


@login_required
def citizen_requests(request: HttpRequest) -> HttpResponse:
    actor = _handler(request)
    form = CitizenRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "export":
                document = citizen_data_export(
                    actor=actor, phone=data["phone"], reason=data["reason"], ip_address=client_ip(request)
                )
                response = HttpResponse(
                    json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
                )
                name = f"citizen-data-{clock.local_date():%Y%m%d}.json"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                response["Cache-Control"] = "no-store"
                return response
            result = citizen_data_erase(
                actor=actor, phone=data["phone"], reason=data["reason"], ip_address=client_ip(request)
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("已匿名化 %(done)s 件已办结诉求；%(open)s 件仍在办理，办结后再处理。")
                % {"done": result.anonymised, "open": result.kept_open},
            )
            return redirect("console:citizen_requests")
    response = render(request, "console/security/citizen_requests.html", {"form": form})
    response["Cache-Control"] = "no-store"
    return response
