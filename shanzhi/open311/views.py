"""The GeoReport v2 endpoints. Views read the parameters and render; selectors and services decide.

Every answer is in the format the path's suffix asks for (``.xml`` or ``.json``); every refusal is the
specification's error list with the HTTP status (400 bad or missing parameter, 403 api_key, 404 not found).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt

from shanzhi.core import clock
from shanzhi.open311 import rules, selectors
from shanzhi.open311.formats import render, render_error
from shanzhi.open311.services import Submitted, request_update_post, service_request_create
from shanzhi.orgs.api_rate_limit import limiter
from shanzhi.orgs.api_scopes import ApiScope
from shanzhi.orgs.apikeys import apikey_resolve
from shanzhi.orgs.models import User

logger = logging.getLogger("shanzhi.open311")

View = Callable[..., HttpResponse]
MAX_PARAM = 4000


def _params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _one(params: QueryDict, name: str, *, limit: int = 200) -> str:
    value = params.get(name, "") or ""
    if "\x00" in value:
        raise rules.Open311Error(400, f"invalid_{name}", f"{name} 含有不允许的字符")
    if len(value) > limit:
        raise rules.Open311Error(400, f"invalid_{name}", f"{name} 过长")
    return value


def _caller(params: QueryDict, *, required: bool) -> User | None:
    """The API key's user. A key that is given must be valid (403); POST needs one."""
    key = _one(params, "api_key")
    if not key:
        if required:
            raise rules.Open311Error(403, "api_key_required", "缺少 api_key")
        return None
    resolved = apikey_resolve(key)
    if resolved is None:
        raise rules.Open311Error(403, "api_key_invalid", "api_key 无效")
    if not resolved.allows(ApiScope.OPEN311):
        raise rules.Open311Error(403, "scope_missing", "该 api_key 未获 Open311 市民服务接口授权（open311）")
    decision = limiter.check(key_id=resolved.key_id, limit=resolved.rate_limit_per_minute)
    if not decision.allowed:
        raise rules.Open311Error(
            429, "rate_limited", f"请求过于频繁：每分钟最多 {decision.limit} 次", retry_after=decision.retry_after
        )
    return resolved.user


def _jurisdiction(params: QueryDict) -> None:
    from django.conf import settings

    rules.jurisdiction_check(
        params.get("jurisdiction_id"), district_code=str(settings.SHANZHI["DISTRICT_CODE"]), required=False
    )


def _endpoint(methods: tuple[str, ...]) -> Callable[[View], View]:
    def wrap(view: View) -> View:
        def inner(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
            if request.method not in methods:
                response = render_error(fmt, rules.Open311Error(405, "method_not_allowed", "不支持该请求方法"))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except rules.Open311Error as error:
                return render_error(fmt, error)

        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        return csrf_exempt(inner)

    return wrap


@_endpoint(("GET", "HEAD"))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    return render(fmt, "discovery", selectors.discovery(base))


@_endpoint(("GET", "HEAD"))
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    return render(fmt, "services", selectors.services_list())


@_endpoint(("GET", "HEAD"))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _jurisdiction(request.GET)
    return render(fmt, "service_definition", selectors.service_definition(code))


@_endpoint(("GET", "HEAD", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    _jurisdiction(params)
    user = _caller(params, required=False)
    tz = clock.centre_tz()
    start = _one(params, "start_date")
    end = _one(params, "end_date")
    found = selectors.requests_search(
        user=user,
        ids=rules.id_list(_one(params, "service_request_id", limit=MAX_PARAM)),
        service_codes=[c.strip() for c in _one(params, "service_code", limit=MAX_PARAM).split(",") if c.strip()],
        start=rules.parse_datetime(start, name="start_date", tz=tz) if start else None,
        end=rules.parse_datetime(end, name="end_date", tz=tz) if end else None,
        status=rules.status_filter(_one(params, "status")),
        now=clock.now(),
        page=rules.positive_int(_one(params, "page"), name="page", default=1, maximum=10**6),
        page_size=rules.positive_int(
            _one(params, "page_size"), name="page_size", default=rules.MAX_PAGE_SIZE, maximum=rules.MAX_PAGE_SIZE
        ),
    )
    extensions = _one(params, "extensions").lower() == "true"
    return render(fmt, "service_requests", selectors.request_dicts(found, extensions=extensions))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    actor = _caller(params, required=True)
    data = Submitted(
        jurisdiction_id=params.get("jurisdiction_id"),
        service_code=_one(params, "service_code"),
        lat=_one(params, "lat") or None,
        long=_one(params, "long") or None,
        address_string=_one(params, "address_string"),
        address_id=_one(params, "address_id"),
        description=_one(params, "description", limit=MAX_PARAM + 1),
        media_url=_one(params, "media_url", limit=500),
        first_name=_one(params, "first_name", limit=50),
        last_name=_one(params, "last_name", limit=50),
        phone=_one(params, "phone", limit=30),
        email=_one(params, "email", limit=200),
        device_id=_one(params, "device_id", limit=64),
        account_id=_one(params, "account_id", limit=64),
    )
    attributes = rules.submitted_attributes(params.lists())
    created = service_request_create(actor=actor, data=data, attributes=attributes)
    logger.info("open311: request %s created", created.appeal.tracking_no)
    body = [
        {
            "service_request_id": created.appeal.tracking_no,
            "token": created.token,
            "service_notice": "",
            "account_id": created.account_id,
        }
    ]
    return render(fmt, "service_requests", body, status=201)


@_endpoint(("GET", "HEAD"))
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    _jurisdiction(request.GET)
    user = _caller(request.GET, required=False)
    appeal = selectors.request_get(user=user, service_request_id=service_request_id)
    extensions = _one(request.GET, "extensions").lower() == "true"
    return render(fmt, "service_requests", selectors.request_dicts([appeal], extensions=extensions))


@_endpoint(("GET", "HEAD"))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _jurisdiction(request.GET)
    user = _caller(request.GET, required=False)
    found = selectors.token_get(user=user, token=token)
    return render(fmt, "service_requests", [{"service_request_id": found.appeal.tracking_no, "token": found.token}])


@_endpoint(("GET", "HEAD", "POST"))
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet's extension: the public updates of the requests the caller may see (GET); the citizen's answer
    to the centre's question (POST)."""
    if request.method == "POST":
        actor = _caller(request.POST, required=True)
        _jurisdiction(request.POST)
        event = request_update_post(
            actor=actor,
            service_request_id=_one(request.POST, "service_request_id"),
            description=_one(request.POST, "description", limit=MAX_PARAM + 1),
        )
        return render(fmt, "service_request_updates", [{"update_id": str(event.pk)}], status=201)
    params = request.GET
    _jurisdiction(params)
    user = _caller(params, required=False)
    tz = clock.centre_tz()
    start = _one(params, "start_date")
    end = _one(params, "end_date")
    updates = selectors.updates_search(
        user=user,
        start=rules.parse_datetime(start, name="start_date", tz=tz) if start else None,
        end=rules.parse_datetime(end, name="end_date", tz=tz) if end else None,
        now=clock.now(),
    )
    return render(fmt, "service_request_updates", updates)


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return render_error(fmt, rules.Open311Error(404, "not_found", "没有这个接口"))
