"""系统管理 → 接口密钥: administrators create API keys with scopes and a rate limit (the clear key is shown once, on
the page that answers the creation, never stored or sent again), see them and revoke them."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs import permissions
from shanzhi.orgs.api_scopes import ApiScope, scope_label
from shanzhi.orgs.apikeys import DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT, apikey_create, apikey_revoke
from shanzhi.orgs.models import ApiKey, User


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("密钥名称"), max_length=100)
    user = forms.ModelChoiceField(
        label=gettext_lazy("代表用户"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        help_text=gettext_lazy("密钥按该用户的角色和单位授权；授权范围只能收窄，不能扩大"),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("授权范围"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    rate_limit_per_minute = forms.IntegerField(
        label=gettext_lazy("每分钟请求上限"), min_value=1, max_value=MAX_RATE_LIMIT, initial=DEFAULT_RATE_LIMIT
    )
    expires_days = forms.IntegerField(
        label=gettext_lazy("有效天数"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=gettext_lazy("留空为长期有效"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            if name != "scopes":
                field.widget.attrs["class"] = "form-select" if name == "user" else "form-control"


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not permissions.may_administer(user):
        raise DjangoPermissionDenied
    return user


def _listing(request: HttpRequest, form: ApiKeyForm, created: tuple[ApiKey, str] | None = None) -> HttpResponse:
    keys = ApiKey.objects.select_related("user").order_by("-created_at")[:200]
    rows = [(key, [scope_label(s) for s in key.scopes]) for key in keys]
    response = render(
        request,
        "console/security/api_keys.html",
        {
            "form": form,
            "rows": rows,
            "created": created[0] if created else None,
            "clear_key": created[1] if created else "",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    if request.method != "POST":
        return _listing(request, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _listing(request, form)
    data = form.cleaned_data
    days = data.get("expires_days")
    try:
        created = apikey_create(
            user=data["user"],
            name=data["name"],
            scopes=data["scopes"],
            rate_limit_per_minute=data["rate_limit_per_minute"],
            expires_at=clock.now() + dt.timedelta(days=days) if days else None,
            actor=actor,
        )
    except ShanzhiError as error:
        form.add_error(None, str(error.message))
        return _listing(request, form)
    return _listing(request, ApiKeyForm(), created)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    _admin(request)
    try:
        row = apikey_revoke(api_key=prefix)
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已停用接口密钥 %(prefix)s") % {"prefix": row.prefix})
    return redirect("console:api_keys")
