"""The REST API ``/api/v1/``: the NinjaAPI instance, authentication and the coded error shape.

Authentication (any one of):
- an API key in ``X-Api-Key: <key>`` or ``Authorization: Bearer <key>`` — the key acts as its user, within the
  key's scopes and rate limit (:mod:`shanzhi.api_auth`);
- the console's Django session (with the CSRF token on unsafe methods), for the console's own pages.

Every error is ``{"code": ..., "message": ..., "details": {...}}`` with the HTTP status; the message follows the
request's language (Chinese by default, ``Accept-Language`` chooses; see LocaleMiddleware).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer

from shanzhi.api_auth import KeyRateLimited, ShanzhiNinjaAPI, default_auth
from shanzhi.appeals.api import catalogue_router
from shanzhi.appeals.api import router as appeals_router
from shanzhi.appeals.api_schemas import ErrorOut
from shanzhi.cogovern.api import router as cogovern_router
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.datahub.api import router as datahub_router
from shanzhi.exchange.api import router as exchange_router
from shanzhi.grid.api import router as grid_router
from shanzhi.iot.api import router as iot_router
from shanzhi.mediation.api import router as mediation_router
from shanzhi.supervision.api import router as supervision_router

logger = logging.getLogger("shanzhi.api")


class UnicodeJSONRenderer(JSONRenderer):
    """JSON with Chinese as UTF-8 text rather than \\u escapes (smaller, readable in logs of the client)."""

    json_dumps_params = {"ensure_ascii": False}


api = ShanzhiNinjaAPI(
    title="善治 Shanzhi API",
    version="1",
    description=(
        "区域社会治理中心平台接口。认证：请求头 `X-Api-Key: <密钥>` 或 `Authorization: Bearer <密钥>`"
        "（密钥在控制台“系统管理 → 接口密钥”或用 `shanzhi apikey create --user 用户名 --name 名称` 创建）。"
        "每个密钥带授权范围（scope，每个接口注明所需范围，缺少时 403 `scope_missing`）和每分钟请求上限"
        "（超出时 429 `rate_limited`，带 `Retry-After`）。"
        '错误统一为 `{"code", "message", "details"}`，message 随 Accept-Language 切换语言。'
    ),
    urls_namespace="api-v1",
    auth=default_auth(),
    renderer=UnicodeJSONRenderer(),
)
api.add_router("", appeals_router)
api.add_router("", catalogue_router)
# The capabilities, each under its own prefix (their routers live in their apps).
api.add_router("/grid", grid_router)
api.add_router("/datahub", datahub_router)
api.add_router("/iot", iot_router)
api.add_router("/mediation", mediation_router)
api.add_router("/cogovern", cogovern_router)
api.add_router("/exchange", exchange_router)
api.add_router("/supervision", supervision_router)


def error_response(
    request: HttpRequest, status: int, code: str, message: str | Promise, details: dict[str, Any] | None = None
) -> HttpResponse:
    body = {"code": code, "message": str(message), "details": details or {}}
    return api.create_response(request, body, status=status)


api.error_model = ErrorOut


@api.exception_handler(ShanzhiError)
def on_shanzhi_error(request: HttpRequest, exc: ShanzhiError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(KeyRateLimited)
def on_key_rate_limited(request: HttpRequest, exc: KeyRateLimited) -> HttpResponse:
    response = error_response(request, exc.status, exc.code, exc.message, exc.details)
    response["Retry-After"] = str(exc.retry_after)
    return response


# A refusal of one of these fields by the schema keeps the code the service gave it before the schema did.
FIELD_CODES: dict[str, tuple[str, str | Promise]] = {
    "channel": ("invalid_channel", _("来源渠道无效")),
    "appeal_type": ("invalid_appeal_type", _("诉求类型无效")),
    "urgency": ("invalid_urgency", _("紧急程度无效")),
    "kind": ("invalid_request_kind", _("申请类型无效")),
    "cursor": ("invalid_cursor", _("分页游标无效")),
    "created_from": ("invalid_date", _("日期时间格式不正确，请用 ISO 8601（如 2026-12-01T08:00:00+08:00）")),
    "created_to": ("invalid_date", _("日期时间格式不正确，请用 ISO 8601（如 2026-12-01T08:00:00+08:00）")),
}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    fields = {next((p for p in reversed(e["loc"]) if not p.isdigit()), "") for e in errors}
    if len(fields) == 1 and (known := FIELD_CODES.get(fields.pop())) is not None:
        return error_response(request, 422, known[0], known[1], {"errors": errors})
    return error_response(request, 422, "invalid_request", _("请求参数不正确，请检查后重试"), {"errors": errors})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, NotFound.code, NotFound.default_message)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(request, 401, "unauthenticated", _("未登录或接口密钥无效"))
    if isinstance(exc, Throttled):
        return error_response(request, 429, "throttled", _("请求过于频繁，请稍后再试"), {"wait": exc.wait})
    if exc.status_code == 403 and "csrf" in exc.message.lower():
        return error_response(request, 403, "csrf_failed", _("CSRF 校验失败，请刷新页面后重试"))
    if isinstance(exc, AuthorizationError) or exc.status_code == 403:
        return error_response(request, 403, "forbidden", _("您没有权限执行此操作"))
    if exc.status_code == 404:
        return error_response(request, 404, NotFound.code, NotFound.default_message)
    return error_response(request, exc.status_code, f"http_{exc.status_code}", _("请求无法处理"))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database restarts or fails over: a clean, coded 503 the client may retry (with its idempotency key)."""
    logger.warning("api: database unavailable (%s) on %s %s", type(exc).__name__, request.method, request.path)
    response = error_response(request, 503, "database_unavailable", _("系统繁忙（数据库暂不可用），请稍后重试"))
    response["Retry-After"] = "5"
    return response


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG and getattr(settings, "SHANZHI_API_RAISE", False):
        raise exc
    # The type and the route only: exception texts may quote submitted values (personal data).
    logger.error("api error %s on %s %s", type(exc).__name__, request.method, request.path)
    return error_response(request, 500, "server_error", _("服务器内部错误，请稍后重试"))
