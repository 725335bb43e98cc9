"""The handling unit in a real browser (issue 22, items 3 and 9): the handler reveals the caller's number with a
reason to call them, then feeds back with a photo of the repaired lamp, which the appeal page shows."""

from __future__ import annotations

import pytest
from browser_wait import wait_js
from desk import PASSWORD
from PIL import Image

from shanzhi.appeals import unit_work
from shanzhi.appeals.models import Attachment
from shanzhi.core.models import PersonalDataAccess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_assisting() -> bool:
    return False


def test_the_handler_reveals_the_number_and_feeds_back_with_a_photo(live_server, browser, desk, intake, tmp_path):
    appeal = intake(citizen_phone="13912341234", address="康乐小区3号楼")
    lead = appeal.assignments.get(role="lead")
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead)
    photo = tmp_path / "修复后.jpg"
    Image.new("RGB", (80, 60), (240, 220, 120)).save(photo, format="JPEG")
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{base}/console/login/")
        page.fill("#id_username", desk.urban_handler.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/console/")
        page.goto(f"{base}/console/appeals/{appeal.pk}/")
        page.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
        phone = page.locator('#citizen-block [data-pii="phone"]')
        assert phone.inner_text().strip() == "139****1234"

        page.fill('#citizen-block input[name="reason"]', "联系诉求人确认路灯位置")
        page.click("#citizen-block button[type=submit]")
        page.wait_for_selector("#contact-revealed")
        assert page.locator('#citizen-block [data-pii="phone"]').inner_text().strip() == "13912341234"
        assert page.locator('#citizen-block [data-pii="address"]').inner_text().strip() == "康乐小区3号楼"
        assert PersonalDataAccess.objects.filter(user=desk.urban_handler, reason="联系诉求人确认路灯位置").count() == 1

        page.click('[data-action-toggle="feedback"]')
        page.wait_for_selector("#act-feedback.show:not(.collapsing)")
        form = page.locator('form[data-action-form="feedback"]')
        form.locator('textarea[name="text"]').fill("已更换灯泡，恢复照明")
        form.locator('input[name="photos"]').set_input_files(str(photo))
        form.locator('[data-action-submit="feedback"]').click()
        page.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
        page.wait_for_selector(".alert-success")
        stored = Attachment.objects.get(assignment=lead)
        image = page.locator(f'[data-feedback-photos="{lead.pk}"] img')
        assert image.count() == 1
        assert image.get_attribute("src") == f"/console/appeals/{appeal.pk}/files/{stored.pk}/"
        loaded = wait_js(
            page,
            "(sel) => { const i = document.querySelector(sel); return i && i.complete && i.naturalWidth }",
            arg=f'[data-feedback-photos="{lead.pk}"] img',
        )
        assert loaded == 80  # the picture itself came back through the scoped file view
    finally:
        context.close()
