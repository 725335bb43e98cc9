"""信息更正 in the console: propose a correction from a person's or building's card, and the reviewers' list.
Rules live in :mod:`shanzhi.datahub.proposals`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.datahub import proposals
from shanzhi.datahub.views import _base, _user

ELEMENT_PAGES = {"person": "datahub:person", "building": "datahub:building"}


@login_required
@require_POST
def proposal_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _user(request)
    if kind not in proposals.FIELDS:
        raise Http404
    values = {spec.name: request.POST[spec.name] for spec in proposals.FIELDS[kind] if spec.name in request.POST}
    page = reverse(ELEMENT_PAGES[kind], args=[pk])
    try:
        proposals.proposal_submit(
            actor=user, kind=kind, element_id=pk, values=values, note=request.POST.get("note", "")
        )
    except NotFound:
        raise Http404 from None
    except ShanzhiError as exc:
        return redirect(f"{page}?proposal_error={exc.code}")
    return redirect(f"{page}?proposed=1")


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    error = ""
    if request.method == "POST":
        try:
            proposals.proposal_review(
                actor=user,
                proposal_id=int(request.POST.get("proposal") or 0),
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
            )
            return redirect("datahub:proposals")
        except (ShanzhiError, ValueError) as exc:
            error = f"{exc.message} [{exc.code}]" if isinstance(exc, ShanzhiError) else str(exc)
    context = {
        **_base(user, "proposals"),
        "may_review": proposals.may_review(user),
        "pending": list(proposals.proposals_to_review(user)[:200]),
        "mine": list(proposals.proposals_made_by(user)[:50]),
        "error": error,
    }
    return render(request, "datahub/proposals.html", context, status=422 if error else 200)
