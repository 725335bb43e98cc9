import datetime as dt
import json

import pytest
from conftest import alarm_payload, incoming

from shanzhi.core import clock, menu
from shanzhi.iot import rules
from shanzhi.iot.maintenance import devices_sweep_offline
from shanzhi.iot.models import Device
from shanzhi.iot.services import messages_ingest

pytestmark = pytest.mark.django_db


def test_devices_silent_past_the_threshold_go_offline(devices):
    now = clock.now()
    a, b, smoke = devices["panel_a"], devices["camera_b"], devices["smoke_a"]
    Device.objects.filter(pk=a.pk).update(status="online", last_seen_at=now - dt.timedelta(minutes=16))
    Device.objects.filter(pk=b.pk).update(status="online", last_seen_at=now - dt.timedelta(minutes=5))
    # A battery smoke detector reports once a day: 16 minutes of silence is nothing for it.
    Device.objects.filter(pk=smoke.pk).update(status="online", last_seen_at=now - dt.timedelta(minutes=16))
    assert devices_sweep_offline(now=now) == 1
    assert Device.objects.get(pk=a.pk).status == "offline" and Device.objects.get(pk=b.pk).status == "online"
    assert Device.objects.get(pk=smoke.pk).status == "online"
    # A message brings it back.
    heartbeat = {"msgNo": 7, "time": int(now.timestamp()), "eventType": "HEARTBEAT"}
    messages_ingest([incoming(a, json.dumps(rules.signed(a.secret, heartbeat)).encode())])
    assert Device.objects.get(pk=a.pk).status == "online"


def test_the_gauges_count_open_alarms_and_refusals(client, devices):
    device = devices["smoke_a"]
    messages_ingest(
        [
            incoming(device, alarm_payload(device, "m-1", at=clock.now())),
            incoming("NOPE-1", b"{}"),
            incoming(device, b"not json"),
        ]
    )
    text = client.get("/metrics").content.decode()
    assert "shanzhi_iot_alarms_open 1.0" in text
    assert 'shanzhi_iot_rejected_messages{reason="unknown_device"} 1.0' in text
    assert 'shanzhi_iot_rejected_messages{reason="malformed"} 1.0' in text


def test_the_menu_entry_is_for_the_centre_and_territorial_staff(desk):
    assert any(item.key == "iot" for item in menu.items_for(desk.grid_worker_a))
    assert any(item.key == "iot" for item in menu.items_for(desk.dispatcher))
    assert not any(item.key == "iot" for item in menu.items_for(desk.urban_handler))
