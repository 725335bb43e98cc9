"""Whatever a client sends, the Open311 server answers in the specification's shapes: never a server error, every
refusal the error list in the asked format (hypothesis generates the parameters)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import JURISDICTION

PARAMS = [
    "jurisdiction_id", "service_code", "service_request_id", "start_date", "end_date", "status", "page", "page_size",
    "extensions", "lat", "long", "address_string", "address_id", "description", "media_url", "phone", "api_key",
    "attribute[fault]", "attribute[nearby][]", "attribute[count]", "attribute[when]",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "open", "closed", "0", "-1", "1e309", "nan", "2026-12-01T00:00:00Z", JURISDICTION, "010101", "key"]
    ),
)
PATHS = ["services", "services/010101", "requests", "requests/HB20261204-000001", "tokens/x", "discovery",
         "servicerequestupdates"]  # fmt: skip


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(PATHS),
    fmt=st.sampled_from(["xml", "json"]),
    method=st.sampled_from(["get", "post"]),
    params=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=8),
)
def test_no_server_error_and_errors_in_the_specified_shape(o311, path, fmt, method, params):
    params = {k: v.replace("\x00", "") for k, v in params.items()}
    if params.get("api_key") == "key":
        params["api_key"] = o311.key_centre
    response = getattr(Client(), method)(f"/open311/v2/{path}.{fmt}", params)
    assert response.status_code < 500
    if response.status_code >= 400:
        if fmt == "json":
            body = json.loads(response.content)
            assert isinstance(body, list) and body[0]["code"] == response.status_code and body[0]["description"]
        else:
            root = ET.fromstring(response.content)
            assert root.tag == "errors" and root.findtext("error/code") == str(response.status_code)
