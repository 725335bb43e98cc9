"""The gateway webhook over a real HTTP server (the live server), as a gateway would post: signed batches."""

from __future__ import annotations

import json

import httpx
import pytest

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.iot import rules
from shanzhi.iot.models import DeviceEvent


@pytest.mark.django_db(transaction=True)
def test_a_gateway_posts_a_signed_batch_over_http(live_server, devices):
    gate, panel = devices["gate_b"], devices["panel_a"]
    now = clock.now()
    batch = [
        rules.signed(
            gate.secret,
            {
                "recordId": f"r-{i}",
                "openTime": now.isoformat(),
                "openType": "CARD",
                "direction": "in" if i % 2 else "out",
            },
        )
        for i in range(5)
    ] + [rules.signed(gate.secret, {"recordId": "r-forced", "openTime": now.isoformat(), "openType": "FORCED"})]
    url = f"{live_server.url}/api/v1/iot/devices/{gate.code}/events"
    with httpx.Client(timeout=30) as client:
        answer = client.post(
            url, content=json.dumps(batch, ensure_ascii=False).encode(), headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"stored": 6, "duplicates": 0, "rejected": {}, "alarms_new": 1, "appeals": 1}
        # The gateway retries after a timeout: nothing doubles.
        again = client.post(url, content=json.dumps(batch).encode(), headers={"Content-Type": "application/json"})
        assert again.json()["duplicates"] == 6 and again.json()["stored"] == 0
        # Signed with another device's secret: refused.
        wrong = rules.signed(panel.secret, {"recordId": "r-x", "openTime": now.isoformat(), "openType": "FORCED"})
        refused = client.post(url, json=wrong)
        assert refused.status_code == 403 and refused.json()["code"] == "iot_bad_signature"
    assert DeviceEvent.objects.filter(device=gate).count() == 6
    assert Appeal.objects.get().area == gate.grid
