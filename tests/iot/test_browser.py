"""The grid worker's view in the system Chromium: the alarm list in scope, the alarm page, the verdict."""

from __future__ import annotations

import json

import pytest
from browser_wait import wait_js
from conftest import alarm_payload, incoming
from django.test import Client

from shanzhi.core import clock
from shanzhi.iot import rules
from shanzhi.iot.models import Alarm
from shanzhi.iot.services import messages_ingest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_grid_worker_sees_the_alarm_and_calls_it_false(live_server, desk, devices, browser, output_dir):
    a, b = devices["smoke_a"], devices["camera_b"]
    camera_body = {"eventId": "E-1", "eventTime": clock.now().isoformat(), "algorithm": "EBIKE_IN_ELEVATOR"}
    camera_alarm = json.dumps(rules.signed(b.secret, camera_body)).encode()
    messages_ingest(
        [
            incoming(a, alarm_payload(a, "m-1", at=clock.now())),
            incoming(b, camera_alarm),
        ]
    )
    assert Alarm.objects.count() == 2
    client = Client()
    client.force_login(desk.grid_worker_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/iot/")
        rows = page.locator("#iot-alarms tbody tr")
        assert rows.count() == 1  # grid B's alarm is outside the worker's grid
        assert "和平小区3号楼烟感" in rows.first.inner_text()
        rows.first.locator("a").first.click()
        page.wait_for_selector("#iot-alarm-state")
        assert page.inner_text("#iot-alarm-state") == "待核实"
        page.fill("#iot-note", "住户做饭油烟")
        page.click("button[value=false]")
        page.wait_for_selector("#iot-alarm-state:has-text('误报')")
        page.screenshot(path=str(output_dir / "iot-alarm.png"))
    finally:
        context.close()
    alarm = Alarm.objects.get(device=a)
    assert alarm.state == "false" and alarm.note == "住户做饭油烟"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_alarm_appears_in_the_live_list_without_a_reload(live_server, desk, devices, browser, output_dir):
    a = devices["smoke_a"]
    messages_ingest([incoming(a, alarm_payload(a, "m-1", at=clock.now()))])
    client = Client()
    client.force_login(desk.grid_worker_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/iot/")
        page.wait_for_url(f"{live_server.url}/console/iot/")
        page.wait_for_selector("#iot-alarm-rows tr[data-alarm]")
        assert page.locator("#iot-alarm-rows tr[data-alarm]").count() == 1
        # Mark the document: a reload would lose the mark.
        page.evaluate("document.body.dataset.loadedOnce = 'yes'")
        panel = devices["panel_a"]
        fire = {"msgNo": 501, "time": int(clock.now().timestamp()), "eventType": "FIRE", "zone": "3号楼2单元"}
        outcome = messages_ingest([incoming(panel, json.dumps(rules.signed(panel.secret, fire)).encode())])
        new_id = outcome.alarms_new[0]
        page.wait_for_selector(f"#iot-alarm-rows tr[data-alarm='{new_id}']", timeout=30_000)
        assert page.locator("#iot-alarm-rows tr[data-alarm]").count() == 2
        assert "和平小区消防主机" in page.inner_text(f"#iot-alarm-rows tr[data-alarm='{new_id}']")
        assert page.evaluate("document.body.dataset.loadedOnce") == "yes"  # the same document: no reload
        page.screenshot(path=str(output_dir / "iot-live-alarms.png"))
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_map_shows_the_devices_and_open_alarms_as_layers(live_server, desk, devices, browser, settings):
    settings.SHANZHI_MAP_TILE_URL = ""  # no network in tests: the layers without a base layer
    a = devices["smoke_a"]
    messages_ingest([incoming(a, alarm_payload(a, "m-1", at=clock.now()))])
    client = Client()
    client.force_login(desk.grid_worker_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/iot/grids/")
        page.wait_for_url(f"{live_server.url}/console/iot/grids/")
        # One device of grid A with coordinates, and its open alarm.
        assert wait_js(page, "document.getElementById('iot-map').dataset.ready") == "2"
        assert page.locator("#iot-map path.leaflet-interactive").count() == 2
    finally:
        context.close()
