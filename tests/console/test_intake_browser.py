"""Intake in a real browser: the operator types the call, picks a suggested category, filters the category picker by
Chinese and by pinyin initials, sees the duplicate-call warning and merges the call into the open appeal; the
dispatcher filters the dispatch form's unit picker (more than 30 units) from the keyboard."""

from __future__ import annotations

import re

import pytest
from browser_wait import wait_js
from routing.desk_model import desk_model_promote

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.routing.models import Category

PASSWORD = "pass-1234-word"
CALL = "和平路12号门口的路灯坏了，晚上不亮"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, base_url: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/console/login/")
    page.wait_for_url(re.compile(r".*/console/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")
    return page


def many_choices(desk) -> None:
    """A tree and a unit list long enough (over 30) to get searchable pickers, as in a real centre."""
    municipal = desk.road_light.parent
    for i in range(32):
        Category.objects.create(code=f"0101{i + 10:02d}", name=f"市政杂项{i + 1}号", parent=municipal)
    for i in range(32):
        Unit.objects.create(
            code=f"9999{i:04d}", name=f"测试部门{i + 1}", kind=UnitKind.DEPARTMENT, parent=desk.district.district
        )


def test_operator_types_picks_filters_and_merges(
    live_server, browser, desk, intake, make_user, settings, tmp_path, output_dir
):
    many_choices(desk)
    desk_model_promote(desk, settings, tmp_path)
    master = intake(content=CALL, citizen_phone="13800001234", address="和平路12号")
    assert master.state == AppealState.DISPATCHED
    make_user(desk.district.centre, "operator", username="operator")
    make_user(desk.district.centre, "dispatcher", username="dispatcher")
    base = live_server.url

    page = log_in(browser, base, "operator")
    page.goto(f"{base}/console/intake/")
    page.wait_for_url(re.compile(r".*/console/intake/$"))
    # The category select (over 30 options) became a combobox; the native select stays for the form.
    page.wait_for_selector("#id_category-picker[role=combobox]")
    assert page.get_attribute("label[for='id_category-picker']", "for") == "id_category-picker"

    page.fill("#id_citizen_phone", "13800001234")
    page.fill("#id_content", "和平路12号门口路灯坏了，晚上不亮，很黑")
    page.fill("#id_address", "和平路12号")

    # Suggestions arrive as the operator types (debounced); click the first: the category is filled.
    first = page.locator(f'#routing-intake-suggestions [data-suggest-category="{desk.road_light.pk}"]')
    first.wait_for()
    assert desk.district.dept_urban.name in page.inner_text("#routing-intake-suggestions")
    first.click()
    wait_js(page, "document.getElementById('id_category').value", timeout=5_000)
    assert page.input_value("#id_category") == str(desk.road_light.pk)
    assert page.input_value("#id_category-picker").endswith("路灯损坏")
    page.click("#intake-suggest-urgency")
    assert page.input_value("#id_urgency") == "ordinary"

    # The picker filters by a piece of the Chinese name, and by pinyin initials (ldsh → 路灯损坏).
    page.click("#id_category-picker")
    page.fill("#id_category-picker", "杂项12")
    page.wait_for_selector("#id_category-picker-list [role=option] >> text=市政杂项12号")
    options = page.locator("#id_category-picker-list [role=option]")
    assert options.count() == 1
    page.keyboard.press("Escape")  # back to what was chosen
    assert page.input_value("#id_category") == str(desk.road_light.pk)
    page.fill("#id_category-picker", "ldsh")
    page.wait_for_selector("#id_category-picker-list [role=option] >> text=路灯损坏")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_category") == str(desk.road_light.pk)
    assert page.get_attribute("#id_category-picker", "aria-expanded") == "false"
    # Scripts and tests may still set the native select: the picker shows what it holds.
    other = Category.objects.get(name="市政杂项7号")
    page.select_option("#id_category", str(other.pk))
    wait_js(page, "document.getElementById('id_category-picker').value.endsWith('市政杂项7号')", timeout=5_000)
    page.select_option("#id_category", str(desk.road_light.pk))

    # The duplicate warning names the open appeal, with a link and the choice to merge into it.
    page.wait_for_selector("#intake-duplicate-warning")
    panel = page.inner_text("#intake-duplicates")
    assert master.tracking_no in panel and "138****1234" in panel
    assert page.get_attribute(f"#intake-duplicates a >> text={master.tracking_no}", "href") == (
        f"/console/appeals/{master.pk}/"
    )
    page.check(f"#merge-{master.pk}")
    page.screenshot(path=str(output_dir / "intake-suggestions.png"), full_page=True)
    page.click("#intake-submit")
    page.wait_for_url(re.compile(rf".*/console/appeals/{master.pk}/$"))
    page.wait_for_selector(f".alert-success >> text=合并到 {master.tracking_no}")
    duplicate = Appeal.objects.exclude(pk=master.pk).get()
    assert duplicate.state == AppealState.MERGED and duplicate.master_id == master.pk

    # The dispatcher's unit list (over 30 units) is searchable too, from the keyboard.
    settings.SHANZHI_ROUTING_AUTO_THRESHOLD = 1.01  # this one waits for the dispatcher
    waiting = intake(content="楼道物业不管", category=None, citizen_phone="13900001111")
    assert waiting.state == AppealState.ACCEPTED
    dispatcher = log_in(browser, base, "dispatcher")
    dispatcher.goto(f"{base}/console/appeals/{waiting.pk}/")
    dispatcher.wait_for_url(re.compile(rf".*/console/appeals/{waiting.pk}/$"))
    toggle = dispatcher.locator('[data-action-toggle="dispatch"]')
    if toggle.count():
        toggle.click()
        dispatcher.wait_for_selector("#act-dispatch.show:not(.collapsing)")
    combo = dispatcher.locator("#id_dispatch_lead_unit-picker")
    combo.wait_for(state="visible")
    combo.click()
    combo.fill("城市管理")
    dispatcher.wait_for_selector(
        f"#id_dispatch_lead_unit-picker-list [role=option] >> text={desk.district.dept_urban.name}"
    )
    dispatcher.keyboard.press("Enter")
    assert dispatcher.input_value("#id_dispatch_lead_unit") == str(desk.district.dept_urban.pk)
    # The assisting units (a multiple select) get a filter box that hides what does not match.
    dispatcher.fill("#id_dispatch_assisting_units-filter", "测试部门3")
    visible = dispatcher.evaluate(
        "Array.from(document.querySelectorAll('#id_dispatch_assisting_units option')).filter(o => !o.hidden)"
        ".map(o => o.textContent)"
    )
    assert visible and all(name.startswith("测试部门3") for name in visible)
    dispatcher.screenshot(path=str(output_dir / "dispatch-unit-picker.png"), full_page=True)
