"""系统管理 → 接口密钥: an administrator creates a key with scopes and a limit; the clear key is on the answering
page once (never stored, never shown again); the key works for its scopes only; others cannot open the page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shanzhi.orgs.apikeys import apikey_cache_clear, hash_key
from shanzhi.orgs.models import ApiKey

from .conftest import staff

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_scoped_key_shown_once(desk, login):
    apikey_cache_clear()
    admin = staff(desk.district.centre, "admin", "keys-admin")
    integration = staff(desk.district.centre, "integration", "keys-integration")
    client = login(admin)
    page = reverse("console:api_keys")
    assert client.get(page).status_code == 200
    created = client.post(
        page,
        {
            "name": "市12345平台",
            "user": integration.pk,
            "scopes": ["appeals:read", "appeals:write"],
            "rate_limit_per_minute": "120",
        },
    )
    body = created.content.decode()
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    clear = re.search(r'id="clear-key">(sz_[0-9a-f]{8}\.[\w-]+)<', body).group(1)
    row = ApiKey.objects.get(name="市12345平台")
    assert row.key_hash == hash_key(clear) and clear not in str(row.__dict__)
    assert (row.scopes, row.rate_limit_per_minute, row.user_id) == (
        ["appeals:read", "appeals:write"],
        120,
        integration.pk,
    )
    assert clear not in client.get(page).content.decode()  # never again
    api = Client(headers={"X-Api-Key": clear})
    assert api.get("/api/v1/units").status_code == 200
    assert api.get("/api/v1/grid/grids").json()["code"] == "scope_missing"
    revoked = client.post(reverse("console:api_key_revoke", args=[row.prefix]), follow=True)
    assert revoked.status_code == 200 and not ApiKey.objects.get(pk=row.pk).is_active
    assert api.get("/api/v1/units").status_code == 401


def test_a_key_needs_a_scope_and_only_admins_open_the_page(desk, login):
    admin = staff(desk.district.centre, "admin", "keys-admin2")
    refused = login(admin).post(
        reverse("console:api_keys"), {"name": "无范围", "user": admin.pk, "rate_limit_per_minute": "60"}
    )
    assert refused.status_code == 200 and not ApiKey.objects.filter(name="无范围").exists()
    dispatcher = staff(desk.district.centre, "dispatcher", "keys-dispatcher")
    assert login(dispatcher).get(reverse("console:api_keys")).status_code == 403
    assert login(dispatcher).post(reverse("console:api_key_revoke", args=["sz_00000000"])).status_code == 403


def test_the_command_takes_scopes_and_a_limit(desk):
    user = staff(desk.district.centre, "integration", "keys-cli")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "apikey", "create", "--user", user.username, "--name", "cli", "--scope", "grid:read", "--rate-limit", "30",
        stdout=out, stderr=err,
    )  # fmt: skip
    row = ApiKey.objects.get(name="cli")
    assert (row.scopes, row.rate_limit_per_minute) == (["grid:read"], 30)
    listing = io.StringIO()
    call_command("apikey", "list", stdout=listing)
    assert "scopes=grid:read" in listing.getvalue() and "limit=30/min" in listing.getvalue()
