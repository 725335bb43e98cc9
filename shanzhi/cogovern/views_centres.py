"""Console pages of the standardised centres (六有/4+X checklist and evidence) and of legal publicity (多元共治)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.cogovern import publicity, selectors, services
from shanzhi.cogovern.forms import (
    CheckForm,
    PublicityForm,
)
from shanzhi.cogovern.models import (
    ChecklistItem,
    PublicityItem,
)
from shanzhi.cogovern.views import _attempt, _found, _page, _reader
from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.core.file_responses import stored_file_response

# --- standardised centres -----------------------------------------------------------------------------------------


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return _page(request, "centre_list.html", "centres", {"standings": selectors.centre_overview(user)})


@login_required
def centre_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = _reader(request)
    unit, lines = _found(lambda: selectors.centre_checklist(user, unit_id))
    if request.method == "POST":
        form = CheckForm(request.POST)
        item = ChecklistItem.objects.filter(pk=request.POST.get("item") or 0).first() if form.is_valid() else None
        upload = request.FILES.get("file")
        if item is None:
            messages.error(request, _("请选择标准项"))
        elif request.POST.get("op") == "upload":
            if upload is None:
                messages.error(request, _("请选择要上传的文件"))
            else:
                _attempt(
                    request,
                    lambda: services.centre_evidence_add(
                        actor=user, unit=unit, item=item, upload=upload, name=upload.name or "", now=clock.now()
                    ),
                    _("佐证材料已上传"),
                )
        else:
            _attempt(
                request,
                lambda: services.centre_check_set(
                    actor=user,
                    unit=unit,
                    item=item,
                    is_met=form.cleaned_data["is_met"],
                    evidence=form.cleaned_data.get("evidence", ""),
                    now=clock.now(),
                ),
                _("已保存"),
            )
        return redirect("cogovern:centre", unit_id=unit_id)
    return _page(request, "centre_detail.html", "centres", {"unit": unit, "lines": lines})


@login_required
def centre_evidence(request: HttpRequest, unit_id: int, evidence_id: int) -> HttpResponseBase:
    user = _reader(request)
    evidence = _found(lambda: selectors.centre_evidence_get(user, unit_id, evidence_id))
    return stored_file_response(evidence.file, content_type=evidence.content_type, filename=evidence.original_name)


# --- legal publicity ----------------------------------------------------------------------------------------------


@login_required
def publicity_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    items = list(publicity.items_for_console(user)[:300])
    return _page(
        request, "publicity_list.html", "publicity", {"items": items, "may_publish": publicity.may_publish(user)}
    )


@login_required
def publicity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = _reader(request)
    if not publicity.may_publish(user):
        raise DjangoPermissionDenied
    item = PublicityItem.objects.filter(pk=pk).first() if pk else None
    if pk and item is None:
        raise Http404
    initial = {f: getattr(item, f) for f in PublicityForm.base_fields} if item else None
    form = PublicityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = publicity.publicity_save(
                actor=user, draft=publicity.Draft(**form.cleaned_data), item=item, now=clock.now()
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("已保存“%(title)s”") % {"title": saved.title})
            return redirect("cogovern:publicity")
    status = 422 if request.method == "POST" else 200
    return _page(request, "form.html", "publicity", {"form": form, "heading": _("普法宣传内容")}, status)


@login_required
@require_POST
def publicity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    item = PublicityItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    published = request.POST.get("published") == "1"
    _attempt(
        request,
        lambda: publicity.publicity_publish(actor=user, item=item, published=published, now=clock.now()),
        _("已发布") if published else _("已撤回"),
    )
    return redirect("cogovern:publicity")
