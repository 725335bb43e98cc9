"""The grid worker's phone pages in a real browser on a 390×844 screen.

1. A worker patrols (start, two check-ins from the phone's position), reports a problem with a photo — it becomes a
   channel-grid appeal dispatched by the catalogue —, the unit fixes it, and the worker verifies the fix on the spot.
2. The offline queue: submissions made while offline are kept on the phone (across a reload) and arrive exactly once
   after reconnecting, also when the server stored one but its answer was lost on the way.
"""

from __future__ import annotations

import io

import pytest
from browser_wait import wait_js
from desk import PASSWORD
from PIL import Image

from shanzhi.appeals.models import Appeal, AppealState, Channel
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.grid.models import CheckIn, GridReport, Patrol, PatrolState, Verification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
IN_GRID_A = {"longitude": 106.80, "latitude": 39.68}


def photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "#3a6ea5").save(buffer, format="PNG")
    return {"name": "scene.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def phone(browser, base: str, username: str):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": WIDTH, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        geolocation=IN_GRID_A,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/console/login/?next=/m/grid/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/m/grid/")
    return context, page


def queue_empty(page) -> None:
    wait_js(page, "window.shanzhiGridQueue && window.shanzhiGridQueue.size() === 0")
    wait_js(page, "!document.documentElement.hasAttribute('data-queue-busy')")


def fits(page) -> None:
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


TAB_PATHS = {"今日任务": "/m/grid/", "问题上报": "/m/grid/report/"}


def tab(page, base: str, label: str) -> None:
    """Open a tab and wait until its page has loaded: a check that runs during the navigation finds no document."""
    page.click(f".gw-tabs >> text={label}")
    page.wait_for_url(f"{base}{TAB_PATHS[label]}")
    page.wait_for_load_state()


def test_worker_patrols_reports_and_verifies_the_fix(live_server, browser, field, output_dir):
    base = live_server.url
    context, page = phone(browser, base, "grid-a")
    fits(page)
    assert "和平社区第1网格" in page.inner_text("header")

    # 1. Patrol: start, check in twice from the phone's position.
    assert page.is_hidden("[data-patrol-checkin]") and page.is_hidden("[data-patrol-finish]")
    page.click("text=开始巡查")
    queue_empty(page)
    assert page.is_hidden("[data-patrol-start]")
    page.click("[data-patrol-checkin]")
    wait_js(page, "document.querySelector('[data-queue-list]').innerText.includes('已打卡')")
    queue_empty(page)
    context.set_geolocation({"longitude": 106.81, "latitude": 39.69})
    page.click("[data-patrol-checkin]")
    wait_js(page, "window.shanzhiGridQueue.size() === 0 && document.querySelectorAll('.gw-ok').length >= 3")
    queue_empty(page)
    patrol = Patrol.objects.get()
    assert patrol.state == PatrolState.ONGOING and patrol.checkin_count == 2
    assert list(CheckIn.objects.values_list("inside_grid", flat=True)) == [True, True]

    # 2. Report a problem with a photo and the position.
    tab(page, base, "问题上报")
    fits(page)
    page.fill("#id_title", "路灯不亮")
    page.fill("#id_content", "和平社区3号楼前两盏路灯不亮，夜间行人看不清路")
    page.select_option("#id_category", field.road_light.code)
    page.set_input_files("#id_photos", [photo()])
    page.click("text=提交上报")
    wait_js(page, "document.querySelector('[data-queue-list]').innerText.includes('诉求编号')")
    appeal = Appeal.objects.get()
    assert appeal.tracking_no in page.inner_text("[data-queue-list]")
    assert appeal.channel == Channel.GRID and appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit == field.district.dept_urban
    assert appeal.area == field.district.grid_a and appeal.attachments.count() == 1
    assert GridReport.objects.get().patrol == patrol

    # 3. The unit signs for it and reports it fixed.
    assignment = appeal.assignments.get(role="lead")
    assignment_sign(actor=field.urban_handler, assignment=assignment)
    assignment.refresh_from_db()
    assignment_feedback(actor=field.urban_handler, assignment=assignment, text="已更换灯泡", resolved=True)

    # 4. The worker verifies on the spot, with a photo after the fix.
    tab(page, base, "今日任务")
    assert page.inner_text("[data-verify-count]") == "1"
    page.click(f"text={appeal.tracking_no}")
    page.wait_for_url(f"{base}/m/grid/verify/{appeal.tracking_no}/")
    fits(page)
    page.check("input[name=passed][value=yes]")
    page.fill("#id_note", "两盏灯均已亮")
    page.set_input_files("#id_photo", [photo()])
    page.click("text=提交核查")
    page.wait_for_selector("[data-verify-done]:not([hidden])")
    wait_js(page, "document.querySelector('[data-queue-list]').innerText.includes('核查通过已记录')")
    verification = Verification.objects.get()
    assert verification.passed and verification.appeal == appeal and verification.photo is not None

    # 5. Finish the patrol; nothing is left to verify.
    page.click("text=返回今日任务")
    assert page.inner_text("[data-verify-count]") == "0"
    page.click("[data-patrol-finish]")
    queue_empty(page)
    page.screenshot(path=str(output_dir / "grid-phone.png"), full_page=True)
    patrol.refresh_from_db()
    assert patrol.state == PatrolState.FINISHED
    assert page.is_visible("[data-patrol-start]") and page.is_hidden("[data-patrol-checkin]")
    context.close()


def test_offline_submissions_arrive_exactly_once(live_server, browser, field):
    base = live_server.url
    context, page = phone(browser, base, "grid-a")

    # Offline on the home page: start a patrol and check in.
    context.set_offline(True)
    page.click("text=开始巡查")
    page.click("[data-patrol-checkin]")
    wait_js(page, "window.shanzhiGridQueue.size() === 2")
    assert "离线" in page.inner_text("[data-queue-status]")
    assert Patrol.objects.count() == 0 and CheckIn.objects.count() == 0
    context.set_offline(False)
    queue_empty(page)
    assert Patrol.objects.count() == 1 and CheckIn.objects.count() == 1

    # Two reports written offline on the report page.
    tab(page, base, "问题上报")
    context.set_offline(True)
    for title in ("井盖缺失", "垃圾堆放"):
        page.fill("#id_title", title)
        page.fill("#id_content", f"{title}，请尽快处理")
        page.click("text=提交上报")
        wait_js(page, "([t]) => document.querySelector('[data-queue-list]').innerText.includes(t)", arg=[title])
    wait_js(page, "window.shanzhiGridQueue.size() === 2")
    assert "已保存在手机上" in page.inner_text("[data-grid-message]")
    assert GridReport.objects.count() == 0

    # The queue survives a reload (here the server is out of reach, the page itself still loads).
    page.route("**/api/v1/grid/**", lambda route: route.abort("internetdisconnected"))
    context.set_offline(False)
    page.reload()
    wait_js(page, "window.shanzhiGridQueue.size() === 2")
    assert GridReport.objects.count() == 0

    # Back in reach, but the first answer is lost on the way: the server stored it, the phone did not hear.
    page.unroute("**/api/v1/grid/**")
    lost = {"count": 0}

    def lose_first_answer(route):
        if lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # reaches the server, which stores the report
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/grid/reports", lose_first_answer)
    page.evaluate("window.shanzhiGridQueue.flush()")
    queue_empty(page)
    assert lost["count"] == 1
    titles = sorted(Appeal.objects.values_list("title", flat=True))
    assert titles == ["井盖缺失", "垃圾堆放"]
    assert GridReport.objects.count() == 2
    assert set(Appeal.objects.values_list("channel", flat=True)) == {Channel.GRID}
    assert page.inner_text("[data-queue-status]") == "已全部发送"
    context.close()


def test_pages_open_offline_from_the_service_worker(live_server, browser, field):
    base = live_server.url
    context, page = phone(browser, base, "grid-a")
    wait_js(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    tab(page, base, "问题上报")  # drawn once online: the worker keeps a copy
    tab(page, base, "今日任务")

    context.set_offline(True)
    tab(page, base, "问题上报")
    assert "离线" in page.inner_text("[data-grid-message]")
    page.fill("#id_content", "消防通道被车辆堵塞")
    page.uncheck("input[name=use_position]")
    page.click("text=提交上报")
    wait_js(page, "window.shanzhiGridQueue.size() === 1")
    tab(page, base, "今日任务")
    wait_js(page, "window.shanzhiGridQueue.size() === 1")
    assert GridReport.objects.count() == 0

    context.set_offline(False)
    queue_empty(page)
    report = GridReport.objects.get()
    assert report.appeal.area == field.district.grid_a and report.appeal.content == "消防通道被车辆堵塞"
    context.close()


def test_the_console_overview_draws_the_grids_on_the_map(live_server, browser, field, output_dir):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/console/login/?next=/console/grid/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#grid-map[data-grids='2']")
    assert page.locator("#grid-map path.leaflet-interactive").count() == 2
    assert page.locator(".sz-sidebar >> text=网格管理").count() == 1
    page.screenshot(path=str(output_dir / "grid-console.png"))
    context.close()
