"""What an API key may be used for: the registry of scopes, and the scope each ``/api/v1/`` endpoint requires.

A key carries a list of scopes; a call through a key needs the endpoint's scope, on top of the rights of the key's
user (roles and unit still decide what the call may see and do — a scope only narrows a key, never widens it).

Each endpoint's scope is declared in one place:
- by its router's default (:data:`ROUTER_SCOPES`, keyed by the module that holds the router): reads (GET, HEAD)
  need the router's read scope, anything else its write scope;
- or, where one endpoint needs another scope than its router's default, by the ``@requires_scope(...)`` decorator
  on the endpoint's function, or (for endpoints whose module this app does not own) by :data:`OPERATION_SCOPES`.

An endpoint of a module that declares nothing requires a scope no key can hold (``undeclared``): keys fail closed,
and ``tests/api/test_api_key_scopes.py`` names the endpoint that needs a declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import models


class ApiScope(models.TextChoices):
    APPEALS_READ = "appeals:read", "读取诉求、分类与单位"
    APPEALS_WRITE = "appeals:write", "登记与办理诉求（受理、答复、回访、签收、反馈、申请）"
    APPEALS_DISPATCH = "appeals:dispatch", "派单与审批（派遣、批准或驳回退回/延期/挂账申请）"
    SUPERVISION_READ = "supervision:read", "读取督办"
    SUPERVISION_WRITE = "supervision:write", "发起与办理督办"
    GRID_READ = "grid:read", "读取网格、巡查与考核"
    GRID_WRITE = "grid:write", "网格巡查、上报、核查与导入"
    DATAHUB_READ = "datahub:read", "读取治理要素数据（个人信息脱敏）"
    DATAHUB_REVEAL = "datahub:reveal", "查看完整个人信息（需权限并登记理由）"
    DATAHUB_WRITE = "datahub:write", "导入治理要素数据"
    IOT_READ = "iot:read", "读取物联设备与告警"
    IOT_WRITE = "iot:write", "上报设备事件、处置告警"
    MEDIATION_READ = "mediation:read", "读取矛盾纠纷调解"
    MEDIATION_WRITE = "mediation:write", "预约调解"
    COGOVERN_READ = "cogovern:read", "读取共建共治清单"
    COGOVERN_WRITE = "cogovern:write", "登记资源、匹配需求、管理项目"
    EXCHANGE_READ = "exchange:read", "读取两线联动工单与推送"
    EXCHANGE_WRITE = "exchange:write", "推送工单、重发、订阅 Webhook"
    REPORTS_READ = "reports:read", "读取统计报表"
    OPEN311 = "open311", "Open311 市民服务接口"


ALL_SCOPES: tuple[str, ...] = tuple(ApiScope.values)
#: Required by an endpoint nobody declared a scope for: no key holds it, so such an endpoint refuses every key.
UNDECLARED = "undeclared"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RouterScopes:
    read: str
    write: str


S = ApiScope

#: Router-level defaults, keyed by the module that holds the router (``shanzhi.<app>.api``).
ROUTER_SCOPES: dict[str, RouterScopes] = {
    "shanzhi.appeals.api": RouterScopes(S.APPEALS_READ, S.APPEALS_WRITE),
    "shanzhi.supervision.api": RouterScopes(S.SUPERVISION_READ, S.SUPERVISION_WRITE),
    "shanzhi.grid.api": RouterScopes(S.GRID_READ, S.GRID_WRITE),
    "shanzhi.datahub.api": RouterScopes(S.DATAHUB_READ, S.DATAHUB_WRITE),
    "shanzhi.iot.api": RouterScopes(S.IOT_READ, S.IOT_WRITE),
    "shanzhi.mediation.api": RouterScopes(S.MEDIATION_READ, S.MEDIATION_WRITE),
    "shanzhi.cogovern.api": RouterScopes(S.COGOVERN_READ, S.COGOVERN_WRITE),
    "shanzhi.exchange.api": RouterScopes(S.EXCHANGE_READ, S.EXCHANGE_WRITE),
    "shanzhi.reports.api": RouterScopes(S.REPORTS_READ, S.REPORTS_READ),
}

#: Endpoints that need another scope than their router's default, by ``module.function`` (for modules whose owners
#: have not put ``@requires_scope`` on them; the decorator wins where both speak).
OPERATION_SCOPES: dict[str, str] = {
    "shanzhi.appeals.api.appeal_dispatch": S.APPEALS_DISPATCH,
    "shanzhi.appeals.api.request_decide": S.APPEALS_DISPATCH,
    "shanzhi.datahub.api.person_search": S.DATAHUB_READ,  # a search sent as POST: a read
    "shanzhi.datahub.api.person_reveal": S.DATAHUB_REVEAL,
}

SCOPE_ATTRIBUTE = "api_scope"
F = TypeVar("F", bound=Callable[..., object])


def requires_scope(scope: str) -> Callable[[F], F]:
    """Mark an endpoint's function with the scope a key needs to call it. The function itself is not wrapped, so
    django-ninja reads its signature as written."""
    if scope not in ALL_SCOPES:
        raise ValueError(f"unknown API scope: {scope}")

    def mark(func: F) -> F:
        setattr(func, SCOPE_ATTRIBUTE, scope)
        return func

    return mark


def scope_for(func: Callable[..., object], methods: Iterable[str]) -> str:
    """The scope an endpoint requires: its decorator, else the override table, else its router's default by method."""
    declared = getattr(func, SCOPE_ATTRIBUTE, None)
    if declared:
        return str(declared)
    module = getattr(func, "__module__", "")
    qualified = f"{module}.{getattr(func, '__name__', '')}"
    if qualified in OPERATION_SCOPES:
        return str(OPERATION_SCOPES[qualified])
    defaults = ROUTER_SCOPES.get(module)
    if defaults is None:
        return UNDECLARED
    return str(defaults.read if set(methods) <= SAFE_METHODS else defaults.write)


def is_write(methods: Iterable[str]) -> bool:
    return not set(methods) <= SAFE_METHODS


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    """Known scopes, each once, in the registry's order. Unknown names raise ``ValueError``."""
    wanted = {str(s).strip() for s in scopes if str(s).strip()}
    unknown = wanted.difference(ALL_SCOPES)
    if unknown:
        raise ValueError(", ".join(sorted(unknown)))
    return [s for s in ALL_SCOPES if s in wanted]


def scope_label(scope: str) -> str:
    try:
        return str(ApiScope(scope).label)
    except ValueError:
        return scope
