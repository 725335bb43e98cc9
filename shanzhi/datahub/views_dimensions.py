"""The dimension registry in the console (治理数据 → 数据维度): the list, registering a dimension, one dimension's
figures in the reader's scope, and a department's file of values. Rules live in :mod:`shanzhi.datahub.dimensions`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.datahub import dimensions
from shanzhi.datahub.imports import may_import
from shanzhi.datahub.models import DimensionElement, DimensionType, Sensitivity
from shanzhi.datahub.views import _base, _user
from shanzhi.orgs.models import Unit


def _choices(text: str) -> list[dict[str, str]]:
    """「编码=名称」 per line (or only the name, which is then its own code)."""
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key, _sep, name = line.partition("=")
        items.append({"key": key.strip(), "name": (name or key).strip()})
    return items


@login_required
def dimension_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    error, form = "", request.POST
    if request.method == "POST":
        try:
            department = Unit.objects.filter(pk=request.POST.get("department") or 0).first()
            if department is None:
                raise NotFound(_("请选择提供部门"), code="department_required")
            valid_days = (request.POST.get("valid_days") or "").strip()
            dimension = dimensions.dimension_register(
                actor=user,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                department=department,
                element_kind=request.POST.get("element_kind", ""),
                value_type=request.POST.get("value_type", ""),
                measure_unit=request.POST.get("measure_unit", ""),
                choices=_choices(request.POST.get("choices", "")),
                sensitivity=request.POST.get("sensitivity", Sensitivity.INTERNAL),
                valid_days=int(valid_days) if valid_days.isdigit() else None,
                description=request.POST.get("description", ""),
            )
            return redirect("datahub:dimension", code=dimension.code)
        except ShanzhiError as exc:
            error = f"{exc.message} [{exc.code}]"
    context = {
        **_base(user, "dimensions"),
        "dimensions": dimensions.dimensions_for(user),
        "may_register": dimensions.may_register(user),
        "departments": Unit.objects.filter(is_active=True).order_by("path")[:400],
        "element_kinds": DimensionElement.choices,
        "value_types": DimensionType.choices,
        "sensitivities": Sensitivity.choices,
        "error": error,
        "form": form,
    }
    return render(request, "datahub/dimension_list.html", context, status=422 if error else 200)


@login_required
def dimension_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    try:
        dimension = dimensions.dimension_get(user, code)
    except NotFound:
        raise Http404 from None
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise NotFound(_("请选择文件"), code="file_required")
            result = dimensions.dimension_values_import(
                actor=user,
                dimension=dimension,
                file_name=upload.name or "",
                content=upload.read(),
                dry_run=bool(request.POST.get("dry_run")),
                valid_rows_only=bool(request.POST.get("valid_rows_only")),
            )
        except ShanzhiError as exc:
            error = f"{exc.message} [{exc.code}]"
    context = {
        **_base(user, "dimensions"),
        "dimension": dimension,
        "counts": dimensions.dimension_counts(user, dimension),
        "may_import_values": may_import(user),
        "key_header": dimensions.KEY_HEADERS[dimension.element_kind][0],
        "result": result,
        "error": error,
    }
    status = 422 if error or (result is not None and result.errors and not result.written) else 200
    return render(request, "datahub/dimension_detail.html", context, status=status)
