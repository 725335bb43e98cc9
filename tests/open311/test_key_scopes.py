"""Open311 keys are the same keys as the REST API's: the ``open311`` scope and the key's per-minute limit hold here
too, refused in the specification's error format (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.orgs import api_rate_limit
from shanzhi.orgs.apikeys import apikey_create
from shanzhi.orgs.models import User

from .conftest import JURISDICTION, as_json, get

pytestmark = pytest.mark.django_db


def _integration() -> User:
    return User.objects.get(username="o311-centre")


def test_a_key_without_the_open311_scope_is_refused(o311):
    _, appeals_only = apikey_create(user=_integration(), name="只读诉求", scopes=["appeals:read"])
    refused = get("requests.json", api_key=appeals_only, jurisdiction_id=JURISDICTION)
    assert refused.status_code == 403
    assert as_json(refused) == [{"code": 403, "description": "该 api_key 未获 Open311 市民服务接口授权（open311）"}]
    # Positive control: a key with the scope gets the list.
    _, open311 = apikey_create(user=_integration(), name="Open311", scopes=["open311"])
    assert get("requests.json", api_key=open311, jurisdiction_id=JURISDICTION).status_code == 200


def test_over_its_limit_a_key_gets_429_with_retry_after(o311, monkeypatch):
    moment = dt.datetime(2026, 12, 1, 8, 0, 10, tzinfo=dt.UTC)
    monkeypatch.setattr(api_rate_limit.limiter, "now", lambda: moment)
    _, key = apikey_create(user=_integration(), name="限流", scopes=["open311"], rate_limit_per_minute=2)
    assert [get("requests.json", api_key=key, jurisdiction_id=JURISDICTION).status_code for _ in range(2)] == [200, 200]
    over = get("requests.xml", api_key=key, jurisdiction_id=JURISDICTION)
    assert over.status_code == 429 and over["Retry-After"] == "50"
    assert b"<code>429</code>" in over.content
    # Without a key the public list is not counted against anyone.
    assert get("requests.json", jurisdiction_id=JURISDICTION).status_code == 200
