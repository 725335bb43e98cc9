"""Portal pages: home, sign-in by code, tracking by number + code, “我的”. Appeal pages are in views_appeals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.core.pii import mask_phone
from shanzhi.portal import citizen as sessions
from shanzhi.portal.forms import CodeForm, PhoneForm, TrackForm
from shanzhi.portal.selectors import inbox
from shanzhi.portal.services import ticket_open
from shanzhi.portal.signin import mobile_or_refuse, otp_request, otp_verify

PENDING_PHONE_KEY = "portal_pending_phone"
NEXT_KEY = "portal_next"


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, **kwargs: Any) -> HttpResponse:
    """Render a portal page with the visitor and the active tab."""
    ctx = {"citizen": sessions.citizen_of(request), **(context or {})}
    return render(request, f"portal/{template}", ctx, **kwargs)


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}) and value.startswith("/m/"):
        return value
    return reverse("portal:appeals")


def home(request: HttpRequest) -> HttpResponse:
    return page(request, "home.html", {"tab": "home", "track_form": TrackForm()})


def signin(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number; a code is sent by SMS."""
    if request.method == "GET" and request.GET.get("next"):
        request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sent = otp_request(phone=form.cleaned_data["phone"], ip_hash=sessions.ip_digest(request), now=clock.now())
        except ShanzhiError as error:
            form.add_error("phone", str(error.message))
            status = error.status
        else:
            request.session[PENDING_PHONE_KEY] = mobile_or_refuse(form.cleaned_data["phone"])
            messages.info(request, _("验证码已发送，%(minutes)s 分钟内有效。") % {"minutes": _minutes(sent.expires_at)})
            return redirect("portal:verify")
    if form.errors and status == 200:
        status = 422
    return page(request, "signin.html", {"tab": "me", "form": form}, status=status)


def _minutes(expires_at: Any) -> int:
    return max(1, round((expires_at - clock.now()).total_seconds() / 60))


def verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code. Five wrong codes lock the number for a while."""
    phone = request.session.get(PENDING_PHONE_KEY)
    if not phone:
        return redirect("portal:signin")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            verified = otp_verify(
                phone=phone, code=form.cleaned_data["code"], ip_hash=sessions.ip_digest(request), now=clock.now()
            )
        except ShanzhiError as error:
            form.add_error("code", str(error.message))
            status = error.status
        else:
            target = _safe_next(request, request.session.get(NEXT_KEY))
            tickets = request.session.get(sessions.TICKETS_KEY, [])
            sessions.sign_in(request, verified)
            request.session[sessions.TICKETS_KEY] = tickets
            request.session.pop(PENDING_PHONE_KEY, None)
            request.session.pop(NEXT_KEY, None)
            messages.success(request, _("登录成功"))
            return redirect(target)
    if form.errors and status == 200:
        status = 422
    return page(request, "verify.html", {"tab": "me", "form": form, "phone_masked": mask_phone(phone)}, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    sessions.sign_out(request)
    return redirect("portal:home")


def track(request: HttpRequest) -> HttpResponse:
    """Tracking number + query code (anonymous submissions); works without JavaScript."""
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = ticket_open(
                tracking_no=form.cleaned_data["tracking_no"],
                code=form.cleaned_data["code"],
                ip_hash=sessions.ip_digest(request),
                now=clock.now(),
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            sessions.remember_ticket(request, appeal.pk)
            return redirect("portal:appeal", tracking_no=appeal.tracking_no)
    return page(request, "track.html", {"tab": "appeals", "form": form}, status=422 if form.errors else 200)


def me(request: HttpRequest) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    return page(request, "me.html", {"tab": "me", "messages_in": inbox(citizen=visitor)})
