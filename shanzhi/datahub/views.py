"""治理数据中心 in the console: overview and search, persons (masked, with the logged reveal), buildings, key persons,
the map, imports and exports. Every page reads through the scoped selectors; nothing here decides a rule."""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import pii
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.core.http import client_ip
from shanzhi.datahub import dimensions, imports, selectors, services
from shanzhi.datahub.models import ImportKind, KeyCategory
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_view_personal_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not selectors.may_use_hub(user):
        raise DjangoPermissionDenied
    return user


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


def _base(user: User, active: str) -> dict[str, object]:
    return {
        "nav_active": "datahub",
        "tab": active,
        "may_key_persons": selectors.may_view_key_persons(user),
        "may_import": imports.may_import(user),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {**_base(user, "index"), "counts": selectors.counts_for(user)}
    return render(request, "datahub/index.html", context)


def _shown_query(query: str) -> str:
    """The search text as the page may echo it: a full ID number or a phone number comes back masked."""
    if pii.id_number_is_valid(query.upper()):
        return pii.mask_id_number(query.upper())
    if pii.citizen_phone_is_valid(pii.normalize_phone(query)):
        return pii.mask_phone(pii.normalize_phone(query))
    return query


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """The persons in scope. The search form posts (an ID number never sits in a URL, so in no access log)."""
    user = _user(request)
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:100]
    persons = selectors.persons_for(user, query=query)
    dim_code, dim_value = (request.GET.get("dim") or "")[:40], (request.GET.get("value") or "")[:100]
    dimension = dimensions.dimension_for_reader(user, dim_code) if dim_code else None
    if dim_code:
        persons = dimensions.persons_with(user, persons, dim_code, dim_value)
    page = Paginator(persons, 50).get_page(request.GET.get("page"))
    context = {
        **_base(user, "persons"),
        "page": page,
        "dimension_filter": (dimension, dim_value) if dimension else None,
        "q": _shown_query(query),
        "may_reveal": may_view_personal_data(user),
    }
    return render(request, "datahub/person_list.html", context)


def _person_context(request: HttpRequest, user: User, pk: int) -> dict[str, object]:
    try:
        person = selectors.person_get(user, pk)
    except NotFound:
        raise Http404 from None
    return {
        **_base(user, "persons"),
        "person": person,
        "card": services.person_card(actor=user, person=person),
        "dimension_values": dimensions.values_of(user, "person", person),
        "may_reveal": may_view_personal_data(user),
        "revealed": None,
        "reveal_error": "",
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return render(request, "datahub/person_detail.html", _person_context(request, user, pk))


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整信息: after a typed reason, with the permission; logged. The clear values are on this answer only."""
    user = _user(request)
    context = _person_context(request, user, pk)
    status = 200
    try:
        context["revealed"] = services.person_reveal(
            actor=user, person_id=pk, reason=request.POST.get("reason", ""), ip_address=client_ip(request)
        )
    except ShanzhiError as exc:
        context["reveal_error"], status = str(exc.message), exc.status
    response = render(request, "datahub/person_detail.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def person_export(request: HttpRequest) -> HttpResponse:
    """The persons list as .xlsx: masked (GET), or in full (POST with a reason and the permission; logged)."""
    user = _user(request)
    source = request.POST if request.method == "POST" else request.GET
    full = request.method == "POST" and source.get("full") == "1"
    try:
        content = services.persons_export_xlsx(
            actor=user,
            query=(source.get("q") or "").strip()[:100],
            full=full,
            reason=source.get("reason", ""),
            ip_address=client_ip(request),
        )
    except ShanzhiError as exc:
        return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain; charset=utf-8")
    return _download(content, _("人口导出.xlsx"))


@login_required
def building_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(selectors.buildings_for(user, query=query), 50).get_page(request.GET.get("page"))
    return render(request, "datahub/building_list.html", {**_base(user, "buildings"), "page": page, "q": query})


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        building = selectors.building_get(user, pk)
    except NotFound:
        raise Http404 from None
    context = {
        **_base(user, "buildings"),
        "building": building,
        "residents": list(selectors.persons_for(user).filter(building=building)[:500]),
        "enterprises": list(selectors.enterprises_for(user).filter(building=building)[:100]),
        "dimension_values": dimensions.values_of(user, "building", building),
    }
    return render(request, "datahub/building_detail.html", context)


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(selectors.enterprises_for(user, query=query), 50).get_page(request.GET.get("page"))
    return render(request, "datahub/enterprise_list.html", {**_base(user, "enterprises"), "page": page, "q": query})


@login_required
def party_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.party_orgs_for(user), 50).get_page(request.GET.get("page"))
    return render(request, "datahub/party_list.html", {**_base(user, "party"), "page": page})


@login_required
def key_person_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.may_view_key_persons(user):
        raise Http404
    category = request.GET.get("category", "")
    page = Paginator(selectors.key_persons_for(user, category=category), 50).get_page(request.GET.get("page"))
    context = {**_base(user, "key_persons"), "page": page, "category": category, "categories": KeyCategory.choices}
    return render(request, "datahub/key_person_list.html", context)


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    layers = [("buildings", _("楼栋")), ("enterprises", _("企业")), ("party_orgs", _("党组织")), ("grids", _("网格"))]
    if selectors.may_view_key_persons(user):
        layers.insert(3, ("key_persons", _("重点人员")))
    config = {
        "tiles": settings.SHANZHI_DATAHUB_TILE_URL,
        "attribution": settings.SHANZHI_MAP_TILE_ATTRIBUTION,
        "center": [39.68, 106.82],
        "zoom": 13,
        "api": "/api/v1/datahub/map/",
        "layers": [{"key": k, "label": str(label)} for k, label in layers],
    }
    context = {**_base(user, "map"), "map_config": json.dumps(config, ensure_ascii=False)}
    return render(request, "datahub/map.html", context)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not imports.may_import(user):
        raise DjangoPermissionDenied
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if upload is None:
            error, status = _("请选择要导入的文件"), 422
        else:
            try:
                result = imports.datahub_import(
                    actor=user,
                    kind=kind,
                    file_name=upload.name or "upload",
                    content=upload.read(),
                    dry_run=request.POST.get("dry_run") == "1",
                    valid_rows_only=request.POST.get("valid_rows_only") == "1",
                    gcj02=request.POST.get("gcj02") == "1",
                )
            except ShanzhiError as exc:
                error, status = str(exc.message), exc.status
            else:
                status = 200 if result.ok else 422
    context = {
        **_base(user, "imports"),
        "kinds": ImportKind.choices,
        "result": result,
        "error": error,
        "history": selectors.imports_for(user)[:30],
    }
    return render(request, "datahub/import.html", context, status=status)


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    batch = selectors.imports_for(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return _download(imports.error_report_xlsx(batch.errors), _("导入错误清单-%(id)s.xlsx") % {"id": batch.pk})


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _user(request)
    if kind not in ImportKind.values:
        raise Http404
    return _download(imports.template_xlsx(kind), _("导入模板-%(kind)s.xlsx") % {"kind": ImportKind(kind).label})
