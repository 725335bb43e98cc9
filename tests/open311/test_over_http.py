"""A civic app's conversation with the running server over real HTTP (urllib against the live server): the service
list, a form-encoded report, its status, in XML as the specification requires and in JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest
from desk import POINT_IN_A

from .conftest import JURISDICTION


def fetch(url: str, data: dict | None = None) -> tuple[int, str, bytes]:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    assert url.startswith("http://127.0.0.1") or url.startswith("http://localhost")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.mark.django_db(transaction=True)
def test_a_civic_app_reports_and_tracks_over_http(live_server, o311):
    base = f"{live_server.url}/open311/v2"
    status, ctype, body = fetch(f"{base}/services.xml?jurisdiction_id={JURISDICTION}")
    assert status == 200 and ctype == "text/xml; charset=utf-8"
    codes = [s.findtext("service_code") for s in ET.fromstring(body).findall("service")]
    assert "010101" in codes
    form = {
        "api_key": o311.key_centre, "jurisdiction_id": JURISDICTION, "service_code": "010101",
        "lat": POINT_IN_A[1], "long": POINT_IN_A[0], "description": "路灯不亮", "attribute[fault]": "flicker",
    }  # fmt: skip
    status, ctype, body = fetch(f"{base}/requests.xml", form)
    assert status == 201, body
    created = ET.fromstring(body).find("request")
    assert created is not None
    tracking_no = created.findtext("service_request_id")
    status, ctype, body = fetch(f"{base}/requests/{tracking_no}.json")
    assert status == 200 and ctype == "application/json; charset=utf-8"
    [request] = json.loads(body)
    assert request["status"] == "open" and request["agency_responsible"] == "区城市管理综合执法局"
    status, ctype, body = fetch(f"{base}/requests.json", {**form, "api_key": "sz_00000000.bad"})
    assert status == 403 and json.loads(body) == [{"code": 403, "description": "api_key 无效"}]
