"""API keys: only a hash is stored, both headers work, revoked/expired/unknown keys get 401; console session + CSRF."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shanzhi.core import clock
from shanzhi.orgs.apikeys import apikey_create, apikey_revoke
from shanzhi.orgs.models import ApiKey

from .conftest import ApiClient, appeal_body


def test_clear_key_is_not_stored_only_prefix_and_sha256(desk):
    clear = desk.keys["a"]
    row = ApiKey.objects.get(user=desk.integration_a)
    assert clear.startswith(row.prefix + ".")
    assert row.key_hash == hashlib.sha256(clear.encode()).hexdigest()
    stored = [str(v) for v in ApiKey.objects.values_list("name", "prefix", "key_hash").get(pk=row.pk)]
    assert all(clear not in value and clear.split(".", 1)[1] not in value for value in stored)


def test_both_headers_authenticate_and_anything_else_is_401(desk):
    assert ApiClient(desk.keys["a"]).get("/categories").status_code == 200
    assert ApiClient(desk.keys["a"], header="authorization").get("/categories").status_code == 200
    for client in (ApiClient(), ApiClient("sz_00000000.wrong"), ApiClient("garbage"), ApiClient(desk.keys["a"] + "x")):
        response = client.get("/categories")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        assert response.json()["message"] == "未登录或接口密钥无效"


def test_revoked_key_is_refused_at_once_and_writes_are_401(desk):
    client = desk.client("a")
    assert client.get("/appeals").status_code == 200  # now cached in this process
    apikey_revoke(api_key=ApiKey.objects.get(user=desk.integration_a))
    assert client.get("/appeals").status_code == 401
    response = client.post("/appeals", appeal_body())
    assert response.status_code == 401  # not a CSRF error: no session cookie was sent
    assert response.json()["code"] == "unauthenticated"


def test_expired_key_and_inactive_user_are_refused(desk, make_user):
    user = make_user(desk.district.centre, "integration")
    row, clear = apikey_create(user=user, name="短期", expires_at=clock.now() + dt.timedelta(hours=1))
    assert ApiClient(clear).get("/units").status_code == 200
    ApiKey.objects.filter(pk=row.pk).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    from shanzhi.orgs.apikeys import apikey_cache_clear

    apikey_cache_clear()
    assert ApiClient(clear).get("/units").status_code == 401
    other = make_user(desk.district.centre, "integration")
    _, clear2 = apikey_create(user=other, name="停用用户")
    other.is_active = False
    other.save()
    assert ApiClient(clear2).get("/units").status_code == 401


def test_authentication_is_cached_no_query_for_the_key_on_later_calls(desk):
    client = desk.client("centre")
    client.get("/units")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/units").status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "orgs_apikey" not in tables and "auth_group" not in tables
    # the units themselves, and the key's rate counter (one upsert; in a shared cache where one is configured)
    assert len(queries.captured_queries) == 2
    assert "orgs_api_rate_window" in queries.captured_queries[0]["sql"]


def test_console_session_works_and_unsafe_methods_need_csrf(desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.dispatcher)
    assert client.get("/api/v1/units").status_code == 200
    refused = client.post("/api/v1/appeals", appeal_body(), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    # What the console's pages do: the csrftoken cookie, and the masked token in the X-CSRFToken header.
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    ok = client.post(
        "/api/v1/appeals",
        appeal_body(),
        content_type="application/json",
        headers={"X-CSRFToken": _mask_cipher_secret(secret)},
    )
    assert ok.status_code == 201, ok.content


def test_management_command_creates_lists_and_revokes(desk):
    out, err = StringIO(), StringIO()
    call_command("apikey", "create", "--user", "int-b", "--name", "12345 对接", stdout=out, stderr=err)
    clear = out.getvalue().strip()
    assert ApiClient(clear).get("/units").status_code == 200
    row = ApiKey.objects.get(name="12345 对接")
    assert row.user == desk.integration_b and row.key_hash == hashlib.sha256(clear.encode()).hexdigest()
    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert row.prefix in listing.getvalue() and clear not in listing.getvalue()
    call_command("apikey", "revoke", row.prefix, stdout=StringIO())
    assert ApiClient(clear).get("/units").status_code == 401


@pytest.mark.parametrize("name", ["", "   "])
def test_key_needs_a_name(desk, name):
    from shanzhi.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        apikey_create(user=desk.integration_a, name=name)
    assert info.value.code == "name_required"
