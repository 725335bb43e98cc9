"""诉求转调解 on the console's appeal page: the panel's context, and the conversion it posts to.

The appeal page includes ``mediation/appeal_panel.html`` and asks :func:`appeal_panel_context` for what it shows:
the case the appeal became (linked when the viewer may open it), or — for the mediation desk, on an appeal of dispute
nature that may still be converted — the short form that converts it (the citizen becomes the applicant; the case
and the appeal are linked both ways by :func:`shanzhi.mediation.services.case_from_appeal`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals import selectors as appeal_selectors
from shanzhi.appeals.models import Appeal
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.mediation import forms, policy, rules, selectors, services
from shanzhi.mediation.models import PartyRole
from shanzhi.orgs.models import User


def _category_path(appeal: Appeal) -> str:
    return appeal.category.path if appeal.category_id and appeal.category else ""


def appeal_panel_context(user: User, appeal: Appeal, *, form: forms.AppealConvertForm | None = None) -> dict[str, Any]:
    """What the panel shows to ``user`` (who may see ``appeal``): ``case`` (or None) with ``case_visible``, and
    ``form`` when the user may convert the appeal now (None otherwise)."""
    case = appeal.mediation_cases.order_by("pk").first()  # type: ignore[attr-defined]
    text = f"{appeal.title} {appeal.content}"
    is_dispute = rules.appeal_is_dispute(category_path=_category_path(appeal), text=text)
    may_convert = (
        case is None
        and is_dispute
        and policy.may_work_cases(user)
        and rules.appeal_convertible(appeal.state)
        and bool(appeal.area_id or user.unit_id)
    )
    if may_convert and form is None:
        domain = rules.domain_suggest(category_path=_category_path(appeal), text=text)
        form = forms.AppealConvertForm(initial={"domain": domain} if domain else None)
    return {
        "case": case,
        "case_visible": case is not None and selectors.cases_visible_to(user).filter(pk=case.pk).exists(),
        "is_dispute": is_dispute,
        "form": form if may_convert else None,
    }


@login_required
@require_POST
def appeal_convert(request: HttpRequest, appeal_pk: int) -> HttpResponse:
    """The panel's form: the appeal (which the user must be able to see) becomes a case; back to the appeal page."""
    user = request.user
    assert isinstance(user, User)
    if not policy.may_work_cases(user):
        raise DjangoPermissionDenied
    try:
        appeal = appeal_selectors.appeal_get(user=user, key=appeal_pk)
    except NotFound:
        raise Http404 from None
    form = forms.AppealConvertForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, _("转调解未完成：%(error)s") % {"error": first})
        return redirect("console:appeal", appeal.pk)
    data = form.cleaned_data
    try:
        case = services.case_from_appeal(
            actor=user,
            appeal=appeal,
            domain=data["domain"],
            title=data["title"],
            respondent=services.PartyIn(PartyRole.RESPONDENT, data["respondent_name"], data["respondent_phone"]),
        )
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已转为调解案件 %(number)s") % {"number": case.number})
    return redirect("console:appeal", appeal.pk)
