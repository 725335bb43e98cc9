"""Authentication of ``/api/v1/``, with each API key's scopes and rate limit.

Any one of:
- an API key in ``X-Api-Key: <key>`` or ``Authorization: Bearer <key>`` — the key acts as its user, for the scopes
  it carries (:mod:`shanzhi.orgs.api_scopes`) and within its rate limit (:mod:`shanzhi.orgs.api_rate_limit`);
- the console's Django session (with the CSRF token on unsafe methods), for the console's own pages: a person's
  roles decide, scopes and key rate limits are for keys.

A key without the endpoint's scope gets 403 ``scope_missing``; a key over its limit 429 ``rate_limited`` with
``Retry-After``. :func:`install_api_key_scopes` gives every operation of the API its scope once the routers are
bound (:class:`ShanzhiNinjaAPI` calls it), and documents the scope, the 403 and the 429 in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs.api_rate_limit import limiter
from shanzhi.orgs.api_scopes import UNDECLARED, scope_for, scope_label
from shanzhi.orgs.apikeys import apikey_resolve
from shanzhi.orgs.models import User


class ScopeMissing(ShanzhiError):
    code = "scope_missing"
    status = 403
    default_message = _("该接口密钥未获授权调用此接口")


class KeyRateLimited(ShanzhiError):
    code = "rate_limited"
    status = 429
    default_message = _("该接口密钥请求过于频繁，请稍后再试")

    def __init__(self, *, retry_after: int, limit: int) -> None:
        super().__init__(retry_after=retry_after, limit_per_minute=limit)
        self.retry_after = retry_after


class _KeyAuthMixin:
    """Resolves a key and, for the operation it guards, checks the key's scope and rate limit."""

    scope: str | None = None

    def with_scope(self, scope: str) -> Any:
        clone = type(self)()
        clone.scope = scope
        return clone

    def _by_key(self, request: HttpRequest, key: str | None) -> User | None:
        """The integration's account; the request remembers it came with a key (only integrations get personal data
        in full through the API: a console session has the console's own reveal, with a typed reason)."""
        resolved = apikey_resolve(key)
        if resolved is None:
            return None
        if self.scope is not None and not resolved.allows(self.scope):
            raise ScopeMissing(
                _("该接口密钥未获“%(label)s”授权（%(scope)s）")
                % {"label": scope_label(self.scope), "scope": self.scope},
                required_scope=self.scope,
            )
        decision = limiter.check(key_id=resolved.key_id, limit=resolved.rate_limit_per_minute)
        if not decision.allowed:
            raise KeyRateLimited(retry_after=decision.retry_after, limit=decision.limit)
        request.api_key_auth = True  # type: ignore[attr-defined]
        request.api_key_id = resolved.key_id  # type: ignore[attr-defined]
        return resolved.user


class ApiKeyAuth(_KeyAuthMixin, APIKeyHeader):
    """``X-Api-Key: sz_xxxxxxxx.…``"""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return self._by_key(request, key)


class BearerKeyAuth(_KeyAuthMixin, HttpBearer):
    """``Authorization: Bearer sz_xxxxxxxx.…``"""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return self._by_key(request, token)


class ConsoleSessionAuth(SessionAuth):
    """The console's session. CSRF is checked (on unsafe methods) only when a session cookie is sent, so a call
    with a bad key and no session gets 401, not a CSRF error."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


def default_auth() -> list[Any]:
    return [ApiKeyAuth(), BearerKeyAuth(), ConsoleSessionAuth()]


RETRY_AFTER_HEADER = {
    "Retry-After": {"description": "距本分钟窗口结束的秒数，之后可重试", "schema": {"type": "integer", "minimum": 1}}
}


def operations(api: NinjaAPI) -> list[Any]:
    """Every operation of ``api`` (its routers bound)."""
    return [op for br in api._get_bound_routers() for pv in br.path_operations.values() for op in pv.operations]


def install_api_key_scopes(api: NinjaAPI, error_model: Any) -> None:
    """Give each operation's key authentication the operation's scope, and describe it in the schema."""
    for op in operations(api):
        if hasattr(op, "api_scope"):
            continue
        if not op.auth_callbacks:  # no key at all (a device gateway's HMAC-signed push): nothing to scope
            op.api_scope = None
            continue
        scope = scope_for(op.view_func, op.methods)
        op.api_scope = scope
        op.auth_callbacks = [cb.with_scope(scope) if isinstance(cb, _KeyAuthMixin) else cb for cb in op.auth_callbacks]
        for status in (401, 403, 429):
            op.response_models.setdefault(status, op._create_response_model(error_model))
        label = scope_label(scope) if scope != UNDECLARED else "未声明（任何密钥均不可调用）"
        note = f"接口密钥所需授权范围：`{scope}`（{label}）；超出每分钟请求上限返回 429 `rate_limited`。"
        extra = dict(op.openapi_extra or {})
        extra["x-required-scope"] = scope
        responses = dict(extra.get("responses") or {})
        responses["403"] = {**responses.get("403", {}), "description": "无权限，或密钥缺少授权范围（scope_missing）"}
        responses["429"] = {**responses.get("429", {}), "description": "请求过于频繁", "headers": RETRY_AFTER_HEADER}
        extra["responses"] = responses
        op.openapi_extra = extra
        op.description = f"{op.description}\n\n{note}" if op.description else note


class ShanzhiNinjaAPI(NinjaAPI):
    """NinjaAPI that installs the key scopes on its operations as soon as its routers are bound."""

    error_model: Any = None

    def _get_bound_routers(self) -> Any:
        routers = super()._get_bound_routers()
        if not getattr(self, "_scopes_installed", False):
            self._scopes_installed = True
            install_api_key_scopes(self, self.error_model)
        return routers
