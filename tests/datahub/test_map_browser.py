"""The data hub's map in the system Chromium: a grid worker's buildings and grid come from the bounding-box layer
API and are drawn by Leaflet (no tiles: the base layer is configurable and switched off here); a screenshot is left
in test-output/."""

from __future__ import annotations

import pytest
from django.test import Client

from .test_import import GRID_A


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_draws_the_grid_workers_layers(live_server, hub, load, buildings_file, settings, browser, output_dir):
    settings.SHANZHI_DATAHUB_TILE_URL = ""
    assert load("buildings", buildings_file).ok
    client = Client()
    client.force_login(hub.grid_worker_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/datahub/map/")
        page.wait_for_selector("#dh-map[data-loaded-buildings][data-loaded-grids]")
        assert page.get_attribute("#dh-map", "data-loaded-buildings") == "2"  # grid A's two, not grid B's
        assert page.get_attribute("#dh-map", "data-loaded-grids") == "1"
        assert page.locator("#dh-map path.leaflet-interactive").count() >= 3  # the grid and two buildings
        assert "重点人员" not in page.inner_text(".leaflet-control-layers")
        page.screenshot(path=str(output_dir / "datahub-map.png"))
    finally:
        context.close()
    assert GRID_A
