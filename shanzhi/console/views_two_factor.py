"""Two-factor sign-in in the console: the password login hands over to a code step, and staff enrol an
authenticator (QR code drawn on the server as SVG) and keep recovery codes. Rules live in
:mod:`shanzhi.orgs.two_factor`; the middleware :mod:`shanzhi.orgs.two_factor_middleware` keeps a session that has
not passed the second step (or must still enrol) out of every other page.

The password step does not log the user in when a code is due: it records who passed it (user id, backend, time)
in the session, and :func:`two_factor_verify` logs in once the code is right — so a stolen password alone opens nothing.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs import permissions, two_factor
from shanzhi.orgs.models import User
from shanzhi.orgs.two_factor_middleware import VERIFIED_SESSION_KEY

PENDING_SESSION_KEY = "two_factor_pending"
PENDING_SECONDS = 300
MAX_ATTEMPTS = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("console:workbench")


class TwoFactorLoginView(auth_views.LoginView):
    """The password step. An enrolled user goes on to the code step instead of being logged in."""

    template_name = "console/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not two_factor.needs_code(user):
            response = super().form_valid(form)
            if two_factor.must_enrol(user):
                return HttpResponseRedirect(reverse("console:two_factor"))
            return response
        self.request.session.cycle_key()
        self.request.session[PENDING_SESSION_KEY] = {
            "user_id": user.pk,
            "backend": getattr(user, "backend", ""),
            "at": clock.now().timestamp(),
            "next": self.get_redirect_url(),
            "attempts": 0,
        }
        return HttpResponseRedirect(reverse("console:two_factor_verify"))


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    if not pending or clock.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None, {}
    user = User.objects.filter(pk=int(pending.get("user_id") or 0), is_active=True).first()
    return user, pending


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code step after the password: a code from the authenticator, or a recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect("console:login")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        accepted = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if accepted:
            request.session.pop(PENDING_SESSION_KEY, None)
            login(request, user, backend=pending.get("backend") or None)
            request.session[VERIFIED_SESSION_KEY] = clock.now().timestamp()
            if accepted == "recovery":
                left = two_factor.recovery_codes_left(user)
                request.session["two_factor_recovery_notice"] = left
            return redirect(_safe_next(request, pending.get("next", "")))
        pending["attempts"] = int(pending.get("attempts", 0)) + 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            request.session.pop(PENDING_SESSION_KEY, None)
            return redirect("console:login")
        request.session[PENDING_SESSION_KEY] = pending
        error = _("验证码不正确，请重试（还可尝试 %(n)s 次）") % {"n": MAX_ATTEMPTS - pending["attempts"]}
    return _no_store(render(request, "console/two_factor_verify.html", {"form": form, "error": error}))


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an SVG element (paths only: no inline style, so the strict CSP is kept)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """两步验证: enrol an authenticator (scan, type the first code, keep the recovery codes), or see its state and
    renew the recovery codes."""
    user = request.user
    assert isinstance(user, User)
    form = CodeForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "required": two_factor.is_enforced() and permissions.must_use_two_factor(user),
        "recovery_notice": request.session.pop("two_factor_recovery_notice", None),
    }
    device = two_factor.confirmed_device(user)
    if device is not None:
        context.update(device=device, codes_left=two_factor.recovery_codes_left(user))
        if request.method == "POST" and form.is_valid():
            try:
                context["recovery_codes"] = two_factor.two_factor_recovery_codes_renew(
                    user=user, code=form.cleaned_data["code"]
                )
                context["codes_left"] = len(context["recovery_codes"])
            except ShanzhiError as error:
                context["error"] = str(error.message)
        return _no_store(render(request, "console/two_factor.html", context))
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.two_factor_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except ShanzhiError as error:
            context["error"] = str(error.message)
        else:
            # The session that enrolled has just shown both factors.
            request.session[VERIFIED_SESSION_KEY] = clock.now().timestamp()
            context.update(
                device=two_factor.confirmed_device(user), recovery_codes=codes, codes_left=len(codes), enrolled=True
            )
            return _no_store(render(request, "console/two_factor.html", context))
    enrolment = two_factor.two_factor_enrol_start(user=user)
    context.update(qr_svg=qr_svg(enrolment.provisioning_uri), secret=enrolment.secret)
    return _no_store(render(request, "console/two_factor.html", context))
