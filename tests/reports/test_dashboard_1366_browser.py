"""The command dashboard on a 1366×768 screen (the common office laptop): no horizontal scrolling, the four KPI
gauges drawn and inside the window, in Chinese and in English; screenshots in test-output/."""

from __future__ import annotations

import pytest
from browser_wait import wait_js
from django.test import Client

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dashboard_fits_1366x768(live_server, district, make_user, browser, output_dir, language):
    Appeal.objects.create(
        tracking_no=f"HB{clock.now():%Y%m%d}-900001", channel="hotline", state="received", content="路灯不亮",
        area=district.grid_a, area_path=district.grid_a.path, longitude=106.76, latitude=39.61, created_at=clock.now(),
    )  # fmt: skip
    client = Client()
    client.force_login(make_user(district.centre, "leader"))
    client.post("/i18n/setlang/", {"language": language, "next": "/console/"})
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        context.add_cookies(
            [{"name": name, "value": morsel.value, "url": live_server.url} for name, morsel in client.cookies.items()]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/console/reports/dashboard/")
        page.wait_for_url("**/console/reports/dashboard/")
        page.wait_for_selector("#dashboard[data-loaded]")
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert page.evaluate("document.documentElement.scrollHeight") <= 768
        gauges = page.locator("[data-gauge]")
        assert gauges.count() == 4
        wait_js(page, "document.querySelectorAll('[data-gauge] canvas').length === 4")
        for i in range(4):
            gauge = gauges.nth(i)
            assert gauge.is_visible()
            box = gauge.bounding_box()
            assert box is not None and box["width"] >= 100 and box["height"] >= 100, box
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, box
            assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
        events = page.locator(".dash-events").bounding_box()
        assert events is not None and events["y"] + events["height"] <= 768
        # The left column (live tiles and the channel chart) ends above the event strip instead of running into it.
        for selector in (".dash-left .dash-panel:last-child", ".dash-right .dash-panel"):
            panel = page.locator(selector).bounding_box()
            assert panel is not None and panel["y"] + panel["height"] <= events["y"], (selector, panel, events)
        chart = page.locator("#dash-channels").bounding_box()
        assert chart is not None and chart["height"] >= 100, chart
        header = page.locator(".dash-head h1").bounding_box()
        assert header is not None and header["height"] <= 50, header  # one line, not wrapped
        page.screenshot(path=str(output_dir / f"reports-dashboard-1366x768-{language}.png"))
    finally:
        context.close()
