"""The command dashboard in the system Chromium at 1920×1080: it shows the database's figures, draws today's
appeals on the tile-less map, refreshes itself, and leaves a screenshot in test-output/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.core import clock
from shanzhi.orgs.models import Boundary


def _square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_shows_database_figures(live_server, district, make_user, settings, browser, output_dir):
    settings.SHANZHI_REPORTS = {"DASHBOARD_REFRESH_SECONDS": 2}
    Boundary.objects.create(unit=district.district, geojson=_square(106.70, 39.55, 0.25))
    Boundary.objects.create(unit=district.grid_a, geojson=_square(106.75, 39.60, 0.05))
    Boundary.objects.create(unit=district.grid_b, geojson=_square(106.85, 39.65, 0.05))
    now = clock.now()
    # Spread over the last minutes, but never into yesterday (the suite may run just after midnight in the centre).
    today = now.astimezone(clock.centre_tz()).replace(hour=0, minute=0, second=0, microsecond=0)
    for i in range(7):
        created = max(now - dt.timedelta(minutes=i), today)
        appeal = Appeal.objects.create(
            tracking_no=f"HB{now:%Y%m%d}-9{i:05d}", channel="hotline" if i % 2 else "grid", state="dispatched",
            content="路灯不亮", area=district.grid_a, area_path=district.grid_a.path, lead_unit=district.dept_urban,
            longitude=106.76 + i * 0.005, latitude=39.61 + i * 0.004, created_at=created,
        )  # fmt: skip
        due = now - dt.timedelta(hours=1) if i < 2 else now + dt.timedelta(days=5)
        Assignment.objects.create(appeal=appeal, unit=district.dept_urban, dispatched_at=now, due_at=due)
        AppealEvent.objects.create(appeal=appeal, kind="dispatched", actor_unit=district.centre, created_at=now)
    leader = make_user(district.centre, "leader")
    client = Client()
    client.force_login(leader)
    session = client.cookies["sessionid"].value

    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/console/reports/dashboard/")
        page.wait_for_selector("#dashboard[data-loaded]")
        assert page.inner_text('[data-count="received_today"]') == "7"
        assert page.inner_text('[data-count="overdue"]') == "2"
        assert page.inner_text('[data-count="dispatched_today"]') == "7"
        assert page.get_attribute("#dashboard", "data-points") == "7"
        page.wait_for_selector("#dashboard[data-map-ready]")
        assert page.locator("#dash-map path.leaflet-interactive").count() >= 3 + 7  # district, 2 grids, points
        assert page.locator("#dash-events li").count() >= 7
        # A new appeal appears on the next refresh without reloading the page.
        Appeal.objects.create(
            tracking_no=f"HB{now:%Y%m%d}-999999", channel="web", state="received", content="新诉求",
            longitude=106.8, latitude=39.62, created_at=clock.now(),
        )  # fmt: skip
        page.evaluate("window.__marker = 1")
        # (expect, not wait_for_function: a string predicate is eval'd in the page, which the CSP refuses)
        expect(page.locator('[data-count="received_today"]')).to_have_text("8", timeout=10000)
        assert page.evaluate("window.__marker") == 1  # same page: no reload happened
        box = page.locator("#dash-map").bounding_box()
        assert box and box["width"] > 900 and box["height"] > 600
        page.screenshot(path=str(output_dir / "reports-dashboard-1920x1080.png"))
    finally:
        context.close()
