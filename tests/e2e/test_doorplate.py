"""A citizen scans a smart doorplate on a phone (375×812) and files an appeal with the plate's address; a grid
worker scanning the same plate sees the household card instead."""

from __future__ import annotations

import re

import pytest

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.core.models import PersonalDataAccess
from shanzhi.places import register

PASSWORD = "pass-1234-word"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plate(district):
    compound = register.compound_add(community=district.community_a, name="和平小区", grid=district.grid_a)
    building = register.building_add(compound=compound, floors=6, entrances=3)
    register.household_add(building=building, entrance_no=2, room_no=501, head_name="赵桂兰", head_phone="13911112222")
    return register.doorplate_issue(address=building.address.children.get(entrance_no=2))


def test_doorplate_scan_files_an_appeal_with_the_address(live_server, browser, district, plate, output_dir):
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/m/d/{plate.code}/?k={plate.qr_token}")
    address = "海勃湾区凤凰岭街道和平社区和平小区1号楼2单元"
    assert page.locator("#doorplate-address").inner_text() == address
    # Every input is labelled.
    for name in ("appeal_type", "content", "detail", "citizen_name", "citizen_phone"):
        assert page.locator(f"label[for=id_{name}]").count() == 1
    page.select_option("#id_appeal_type", "help")
    page.fill("#id_content", "单元楼道灯坏了好几天，晚上老人上下楼看不见。")
    page.fill("#id_detail", "3楼楼道")
    page.fill("#id_citizen_phone", "13600002222")
    page.screenshot(path=str(output_dir / "doorplate-form.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no sideways scrolling on a phone"
    page.click("#doorplate-submit")
    page.wait_for_url(re.compile(r".*/m/d/[0-9A-Z]+/filed/$"))
    tracking_no = page.locator("#tracking-no").inner_text()
    page.screenshot(path=str(output_dir / "doorplate-filed.png"), full_page=True)

    appeal = Appeal.objects.get(tracking_no=tracking_no)
    assert appeal.channel == "doorplate" and appeal.state == AppealState.RECEIVED
    assert appeal.address == f"{address}（3楼楼道）"
    assert appeal.area == district.grid_a
    assert not PersonalDataAccess.objects.exists()
    context.close()


def test_grid_worker_scanning_the_plate_sees_the_household_card(live_server, browser, district, plate, make_user):
    make_user(district.grid_a, "grid_worker", username="gridder")
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "gridder")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))
    page.goto(f"{live_server.url}/m/d/{plate.code}/?k={plate.qr_token}")
    card = page.locator("#household-card")
    assert card.is_visible()
    assert "赵*兰" in page.locator("#households").inner_text()
    assert "赵桂兰" not in page.content()
    assert PersonalDataAccess.objects.filter(user__username="gridder", action="view").count() == 1
    context.close()
