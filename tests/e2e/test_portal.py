"""The citizen portal in a real browser on a 375×812 phone screen: sign in with the SMS code, submit with a photo
(resized in the browser) and a map location, and — after the centre has handled it — read the reply and rate it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.services import appeal_reply
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.notifications import delivery
from shanzhi.notifications.backends import SendResult
from shanzhi.notifications.models import OutboxMessage
from shanzhi.portal.models import PortalRating
from shanzhi.routing.models import Category, DispatchRule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13800001234"


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1) if match.groups() else match.group(0)


def big_photo() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (3200, 2400), "#3a6ea5")
    for x in range(0, 3200, 200):  # something to compress
        image.paste("#f2c14e", (x, 0, x + 100, 2400))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def phone_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def assert_fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


class SmsCapture:
    """The SMS gateway as the citizen's phone sees it: the texts it was handed (the outbox keeps a code only until
    it is delivered)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def send(self, message: OutboxMessage) -> SendResult:
        self.texts.append(message.body)
        return SendResult(provider_message_id=f"capture-{message.pk}")


def test_citizen_signs_in_submits_and_rates(live_server, browser, district, make_user, output_dir, monkeypatch):
    phone = SmsCapture()
    monkeypatch.setattr(delivery, "get_notifier", lambda channel: phone)
    base = live_server.url
    build = Category.objects.create(code="01", name="城乡建设")
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal, keywords="路灯 照明")
    Category.objects.create(code="0102", name="噪音扰民", parent=build)
    DispatchRule.objects.create(category=municipal, lead_unit=district.dept_urban)
    operator = make_user(district.centre, "operator", username="operator")
    handler = make_user(district.dept_urban, "handler", username="handler")

    page = phone_page(browser)

    # 1. Sign in with the code sent by SMS (read from the outbox).
    page.goto(f"{base}/m/")
    assert page.locator(".pt-tabs a").count() == 5
    page.click(".pt-tabs >> text=我的")
    page.click("text=手机号登录")
    page.fill("#id_phone", PHONE)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/m/signin/verify/")
    assert "138****1234" in page.inner_text("main")
    assert OutboxMessage.objects.filter(recipient=PHONE, event="otp").exists()
    code = found(r"\d{6}", next(text for text in reversed(phone.texts) if "验证码" in text))
    page.fill("#id_code", code)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/m/appeals/")

    # 2. Submit with a photo and a place picked on the map.
    page.click(".pt-tabs >> text=我要反映")
    page.wait_for_url(f"{base}/m/submit/")
    assert_fits_the_screen(page)
    page.fill("#category-search", "照明")  # matches the category's keywords
    visible = page.eval_on_selector_all("#id_category option:not([hidden])", "os => os.map(o => o.textContent)")
    assert any("路灯损坏" in text for text in visible) and not any("噪音" in text for text in visible)
    page.select_option("#id_category", str(road_light.pk))
    page.fill("#id_content", "和平路 12 号门口的路灯坏了一周，晚上很黑。")
    page.set_input_files("#id_photos", files=[{"name": "light.png", "mimeType": "image/png", "buffer": big_photo()}])
    page.wait_for_selector("#photo-status >> text=已选 1 张照片")
    page.wait_for_selector("#map.leaflet-container")
    page.click("#map", position={"x": 180, "y": 120})
    page.wait_for_selector("#location-status >> text=已在地图上选择位置")
    assert page.input_value("#id_longitude") and page.input_value("#id_latitude")
    page.fill("#id_address", "和平路12号")
    page.screenshot(path=str(output_dir / "portal-submit.png"), full_page=True)
    page.click("form[data-photo-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/m/submitted/HB\d{8}-\d{6}/$"))
    appeal = Appeal.objects.get()
    assert f"已受理，编号 {appeal.tracking_no}，预计 5 个工作日内答复" in page.inner_text("main")
    page.screenshot(path=str(output_dir / "portal-submitted.png"), full_page=True)
    assert appeal.channel == "portal" and appeal.citizen_phone == PHONE
    assert appeal.state == AppealState.DISPATCHED and appeal.longitude is not None and appeal.latitude is not None
    attachment = appeal.attachments.get()
    with Image.open(attachment.file.open("rb")) as stored:  # resized in the browser before upload
        assert max(stored.size) <= 1600 and stored.format == "JPEG"

    # 3. The centre handles it (through the services).
    assignment = assignment_sign(actor=handler, assignment=appeal.assignments.get(role="lead"))
    assignment_feedback(actor=handler, assignment=assignment, text="已更换灯泡", resolved=True)
    appeal_reply(actor=operator, appeal=Appeal.objects.get(pk=appeal.pk), text="路灯已于今日修复，感谢您的反映。")

    # 4. The citizen sees the reply and rates it.
    page.click(".pt-tabs >> text=我的诉求")
    page.click(f"text={appeal.tracking_no}")
    page.wait_for_url(f"{base}/m/appeals/{appeal.tracking_no}/")
    assert "路灯已于今日修复，感谢您的反映。" in page.inner_text("#reply-text")
    timeline = page.inner_text("#timeline")
    assert "统一答复" in timeline and "已更换灯泡" not in timeline
    assert_fits_the_screen(page)
    page.check("input[name=rating][value=satisfied]")
    page.check("input[name=resolved][value=yes]")
    page.fill("#id_comment", "修得很快")
    page.screenshot(path=str(output_dir / "portal-rate.png"), full_page=True)
    page.click("text=提交评价")
    page.wait_for_selector(".pt-alert >> text=感谢您的评价，诉求已办结。")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED
    assert PortalRating.objects.get(appeal=appeal).comment == "修得很快"


def test_keyboard_reaches_the_skip_link_and_the_tabs(live_server, browser, district):
    page = phone_page(browser)
    page.goto(f"{live_server.url}/m/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "pt-skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    current = page.get_attribute(".pt-tabs a[aria-current=page]", "href")
    assert current == "/m/"
