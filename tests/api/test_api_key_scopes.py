"""API key scopes and rate limits: every endpoint declares a scope; a key without it is refused on every write
endpoint (the router walked, nobody lists the endpoints); a key over its limit gets 429 with Retry-After. The rate
limit's clock is injected: no test sleeps or times anything."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from shanzhi.api import api
from shanzhi.api_auth import operations
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs import api_rate_limit
from shanzhi.orgs.api_rate_limit import CacheCounter, DatabaseCounter, RateLimiter, rate_decision, window_start
from shanzhi.orgs.api_scopes import ALL_SCOPES, UNDECLARED, ApiScope, is_write, requires_scope, scope_for
from shanzhi.orgs.apikeys import apikey_cache_clear, apikey_create
from shanzhi.orgs.models import ApiKey, ApiKeyRateWindow, Role

from .conftest import ApiClient

ROUTE_PARAMETER = re.compile(r"\{[^}]+\}")


def _endpoints() -> list[tuple[str, str, str]]:
    """(method, path under /api/v1, scope) of every operation, from the bound routers."""
    found = []
    for br in api._get_bound_routers():
        for path, path_view in br.path_operations.items():
            for op in path_view.operations:
                full = ROUTE_PARAMETER.sub("1", f"{br.prefix}{path}")
                for method in op.methods:
                    found.append((method, full, op.api_scope))
    return found


#: Endpoints that take no API key at all (they authenticate otherwise), so no scope applies.
WITHOUT_KEYS = {("POST", "/iot/devices/1/events")}  # the device gateway's HMAC-signed push
WRITES = [(m, p, s) for m, p, s in _endpoints() if is_write([m]) and s is not None]


class FakeClock:
    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def fake_clock(monkeypatch) -> FakeClock:
    clock = FakeClock(dt.datetime(2026, 12, 1, 8, 0, 10, tzinfo=dt.UTC))
    monkeypatch.setattr(api_rate_limit.limiter, "now", clock)
    return clock


@pytest.fixture
def all_roles(desk, make_user):
    return make_user(desk.district.centre, *Role.values, username="all-roles", personal_data=True)


def _call(client: ApiClient, method: str, path: str):  # type: ignore[no-untyped-def]
    return client.post(path, {}) if method == "POST" else client.get(path)


# --- the declarations -------------------------------------------------------------------------------------------


def test_every_endpoint_declares_a_known_scope():
    endpoints = _endpoints()
    assert len(endpoints) >= 60 and len(WRITES) >= 30
    assert {(m, p) for m, p, s in endpoints if s is None} == WITHOUT_KEYS
    endpoints = [e for e in endpoints if e[2] is not None]
    undeclared = [(m, p) for m, p, s in endpoints if s == UNDECLARED]
    assert undeclared == []
    assert {s for _, _, s in endpoints} <= set(ALL_SCOPES)


def test_scope_rules_router_default_override_and_decorator():
    from shanzhi.appeals import api as appeals_api

    assert scope_for(appeals_api.appeal_list, ["GET"]) == ApiScope.APPEALS_READ
    assert scope_for(appeals_api.appeal_create, ["POST"]) == ApiScope.APPEALS_WRITE
    assert scope_for(appeals_api.appeal_dispatch, ["POST"]) == ApiScope.APPEALS_DISPATCH

    def elsewhere() -> None: ...

    elsewhere.__module__ = "shanzhi.nowhere.api"
    assert scope_for(elsewhere, ["GET"]) == UNDECLARED
    assert scope_for(requires_scope("open311")(elsewhere), ["POST"]) == "open311"
    with pytest.raises(ValueError):
        requires_scope("no:such")


def test_the_schema_documents_scope_403_and_429_with_retry_after(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operations_seen = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            operations_seen += 1
            if "security" not in operation:  # takes no key (WITHOUT_KEYS)
                assert (method.upper(), ROUTE_PARAMETER.sub("1", path.removeprefix("/api/v1"))) in WITHOUT_KEYS
                continue
            assert operation["x-required-scope"] in ALL_SCOPES, (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
            assert operation["x-required-scope"] in operation["description"]
    assert operations_seen == len(operations(api))


# --- refusals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "scope"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_a_key_without_the_scope_is_refused_on_every_write_endpoint(all_roles, method, path, scope):
    apikey_cache_clear()
    _, without = apikey_create(user=all_roles, name="缺一项", scopes=[s for s in ALL_SCOPES if s != scope])
    refused = _call(ApiClient(without), method, path)
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope_missing"
    assert refused.json()["details"]["required_scope"] == scope
    # positive control: the same user, a key with only that scope, gets past the scope check
    _, only = apikey_create(user=all_roles, name="仅此一项", scopes=[scope])
    passed = _call(ApiClient(only), method, path)
    assert passed.status_code != 401
    assert passed.json().get("code") != "scope_missing"


def test_a_read_needs_its_read_scope_and_a_write_scope_does_not_grant_it(all_roles):
    _, write_only = apikey_create(user=all_roles, name="只写", scopes=[ApiScope.APPEALS_WRITE])
    assert ApiClient(write_only).get("/appeals").json()["code"] == "scope_missing"
    _, read_only = apikey_create(user=all_roles, name="只读", scopes=[ApiScope.APPEALS_READ])
    assert ApiClient(read_only).get("/appeals").status_code == 200
    assert ApiClient(read_only).post("/appeals", {}).json()["code"] == "scope_missing"


def test_the_bearer_header_is_held_to_the_same_scopes(all_roles):
    _, key = apikey_create(user=all_roles, name="bearer", scopes=[ApiScope.GRID_READ])
    assert ApiClient(key, header="authorization").get("/grid/grids").status_code == 200
    refused = ApiClient(key, header="authorization").get("/appeals")
    assert (refused.status_code, refused.json()["code"]) == (403, "scope_missing")


def test_a_console_session_is_not_held_to_key_scopes(desk):
    client = Client()
    client.force_login(desk.dispatcher)
    assert client.get("/api/v1/appeals").status_code == 200


def test_a_scope_never_widens_the_users_roles(desk, make_user):
    """A key with every scope still acts as its user: a town B handler's key cannot dispatch."""
    user = make_user(desk.district.town_b, "handler")
    _, key = apikey_create(user=user, name="承办")
    response = ApiClient(key).post("/appeals/1/dispatch", {})
    assert response.status_code in (403, 404, 422)
    assert response.json()["code"] != "scope_missing"


def test_create_refuses_unknown_or_no_scopes_and_bad_limits(desk):
    user = desk.integration_a
    for kwargs, code in (
        ({"scopes": ["appeals:read", "root:all"]}, "unknown_scope"),
        ({"scopes": []}, "scopes_required"),
        ({"scopes": ["appeals:read"], "rate_limit_per_minute": 0}, "invalid_rate_limit"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            apikey_create(user=user, name="坏", **kwargs)
        assert refused.value.code == code
    row, _ = apikey_create(user=user, name="好", scopes=["appeals:write", "appeals:read", "appeals:read"])
    assert row.scopes == ["appeals:read", "appeals:write"]  # each once, in the registry's order
    assert ApiKey.objects.filter(name="坏").count() == 0


# --- rate limits ------------------------------------------------------------------------------------------------


def test_rate_decision_rule():
    now = dt.datetime(2026, 12, 1, 8, 0, 45, 500_000, tzinfo=dt.UTC)
    assert window_start(now) == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert rate_decision(count=3, limit=3, now=now).allowed
    assert rate_decision(count=3, limit=3, now=now).remaining == 0
    over = rate_decision(count=4, limit=3, now=now)
    assert (over.allowed, over.retry_after) == (False, 15)  # 14.5 s left, rounded up
    at_the_edge = rate_decision(count=4, limit=3, now=dt.datetime(2026, 12, 1, 8, 0, 59, 999_999, tzinfo=dt.UTC))
    assert at_the_edge.retry_after == 1


def test_over_the_limit_is_429_with_retry_after_until_the_next_minute(desk, fake_clock):
    _, key = apikey_create(user=desk.integration_a, name="限流", rate_limit_per_minute=3)
    client = ApiClient(key)
    assert [client.get("/units").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/units")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused["Retry-After"] == "50"  # 08:00:10 → the window ends at 08:01:00
    fake_clock.moment += dt.timedelta(seconds=45)
    assert client.get("/units")["Retry-After"] == "5"
    fake_clock.moment += dt.timedelta(seconds=5)  # 08:01:00, a new window
    assert client.get("/units").status_code == 200
    assert ApiKeyRateWindow.objects.count() == 1  # the old window went when the new one opened


def test_each_key_has_its_own_counter(desk, fake_clock):
    _, first = apikey_create(user=desk.integration_a, name="一", rate_limit_per_minute=1)
    _, second = apikey_create(user=desk.integration_a, name="二", rate_limit_per_minute=1)
    assert ApiClient(first).get("/units").status_code == 200
    assert ApiClient(first).get("/units").status_code == 429
    assert ApiClient(second).get("/units").status_code == 200


def test_the_database_counter_is_shared_by_every_counter_instance(desk):
    """Two processes' counters are two instances reading the same rows: they count together."""
    row, _ = apikey_create(user=desk.integration_a, name="共享")
    start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert [DatabaseCounter().hit(row.pk, start), DatabaseCounter().hit(row.pk, start)] == [1, 2]
    assert DatabaseCounter().hit(row.pk, start + dt.timedelta(minutes=1)) == 1


def test_a_cache_counter_counts_in_the_named_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "rate": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-test"},
    }
    counter = CacheCounter("rate")
    start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert [counter.hit(7, start), counter.hit(7, start), counter.hit(8, start)] == [1, 2, 1]
    limiter = RateLimiter(now=lambda: start + dt.timedelta(seconds=30), counter=counter)
    assert limiter.check(key_id=7, limit=2).retry_after == 30


def test_a_process_local_cache_is_never_used_for_counting(settings):
    settings.SHANZHI_API_RATE_LIMIT_CACHE = "default"  # LocMemCache: each worker would allow the whole limit
    assert isinstance(api_rate_limit.configured_counter(), DatabaseCounter)
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    settings.SHANZHI_API_RATE_LIMIT_CACHE = "shared"
    assert isinstance(api_rate_limit.configured_counter(), CacheCounter)
