"""In a real browser (the system Chromium): a resident signs in to the portal by SMS code and posts a demand → a
community staff member matches it to a resource in the console → a project is created, started and finished →
the resident sees the demand done in the portal."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from shanzhi.cogovern import services
from shanzhi.cogovern.models import CheckIn, Demand, Project
from shanzhi.core import clock
from shanzhi.notifications import delivery
from shanzhi.notifications.backends import SendResult
from shanzhi.notifications.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"
PHONE = "13800004321"


def keep_on_failure(page, name: str) -> None:
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    (out / f"{name}.html").write_text(page.content(), encoding="utf-8")


class SmsCapture:
    """The SMS gateway as the resident's phone sees it (the outbox keeps a code only until it is delivered)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def send(self, message: OutboxMessage) -> SendResult:
        self.texts.append(message.body)
        return SendResult(provider_message_id=f"capture-{message.pk}")


@pytest.fixture
def sms(monkeypatch) -> SmsCapture:
    capture = SmsCapture()
    monkeypatch.setattr(delivery, "get_notifier", lambda channel: capture)
    return capture


def resident_signs_in(resident, base: str, phone: str, sms: SmsCapture) -> None:
    """On the portal's sign-in page: the phone, then the code the SMS brought."""
    resident.fill("#id_phone", phone)
    resident.click("button[type=submit]")
    resident.wait_for_url(f"{base}/m/signin/verify/")
    assert OutboxMessage.objects.filter(recipient=phone, event="otp").exists()
    code = re.search(r"\d{6}", next(text for text in reversed(sms.texts) if "验证码" in text))
    assert code is not None
    resident.fill("#id_code", code.group(0))
    resident.keyboard.press("Enter")


def test_resident_demand_to_finished_project(live_server, browser, desk, make_user, output_dir, sms):
    base = live_server.url
    community = desk.district.community_a
    staff = make_user(community, "handler", username="hp-staff")
    services.resource_create(
        actor=staff, community=community, kind="service", name="和平助老志愿服务", capacity=3, now=clock.now()
    )

    # 1. The resident signs in with the code sent by SMS and posts a demand.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True)
    resident = phone.new_page()
    resident.set_default_timeout(15_000)
    resident.goto(f"{base}/m/cogovern/")
    resident.click("text=我要提需求")
    resident.wait_for_url(re.compile(r".*/m/signin/\?next=.*"))
    resident_signs_in(resident, base, PHONE, sms)
    resident.wait_for_url(f"{base}/m/cogovern/demands/new/")
    resident.select_option("#id_community", str(community.pk))
    resident.fill("#id_title", "独居老人需要定期探访")
    resident.fill("#id_content", "3 号楼有两位独居老人，希望有人每周上门看看。")
    resident.click("button[type=submit]")
    resident.wait_for_url(re.compile(r".*/m/cogovern/demands/\d+/$"))
    assert resident.inner_text("#cg-state") == "待匹配"
    demand = Demand.objects.get()
    assert demand.resident_phone == PHONE
    assert resident.evaluate("document.documentElement.scrollWidth") <= 375

    # 2. Community staff match it to a resource, plan, start and finish the project in the console.
    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    console = desktop.new_page()
    console.set_default_timeout(15_000)
    console.goto(f"{base}/console/login/")
    console.fill("#id_username", "hp-staff")
    console.fill("#id_password", PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url(f"{base}/console/")
    try:
        console.click(".sz-sidebar >> text=多元共治")
        console.wait_for_url(f"{base}/console/cogovern/")
        console.click(".nav-tabs >> text=需求清单")
        console.click("text=独居老人需要定期探访")
        assert "138****4321" in console.inner_text("main") and PHONE not in console.content()
        console.select_option("#cg-resource", label="和平助老志愿服务（服务）")
        console.fill("#cg-note", "志愿队每周三上门")
        console.click("#cg-match button[type=submit]")
        console.wait_for_selector(".alert-success >> text=已匹配资源“和平助老志愿服务”")
        assert console.inner_text("#cg-demand-state") == "已匹配"
        console.fill("#id_title", "独居老人探访项目")
        console.fill("#id_beneficiaries", "2")
        console.fill("#id_milestones", "组建探访小组\n首次上门")
        console.click("#cg-project button[type=submit]")
        console.wait_for_selector(".alert-success >> text=项目已立项")
        console.click("#cg-start")
        console.wait_for_selector(".alert-success >> text=项目已开始实施")
        console.fill("#cg-result", "已完成首轮探访，建立每周探访制度")
        console.click("#cg-finish button[type=submit]")
        console.wait_for_selector(".alert-success >> text=项目已完成")
        assert console.inner_text("#cg-project-state") == "已完成"
        console.screenshot(path=str(output_dir / "cogovern-project.png"), full_page=True)
    except Exception:
        keep_on_failure(console, "cogovern-console-failed")
        raise
    assert Project.objects.get().state == "finished"

    # 3. The resident sees it done.
    resident.goto(f"{base}/m/cogovern/demands/mine/")
    assert "已完成" in resident.inner_text("#cg-mine")
    resident.click("text=独居老人需要定期探访")
    assert resident.inner_text("#cg-state") == "已完成"
    assert "已完成首轮探访，建立每周探访制度" in resident.inner_text("#cg-done")
    assert "组建探访小组" in resident.inner_text("main")
    resident.screenshot(path=str(output_dir / "cogovern-resident-done.png"), full_page=True)
    phone.close()
    desktop.close()


def test_a_volunteer_scans_the_qr_code_twice_and_is_counted_once(live_server, browser, desk, make_user, sms):
    base = live_server.url
    community = desk.district.community_a
    staff = make_user(community, "handler", username="hp-staff")
    now = clock.now()
    team = services.team_create(actor=staff, community=community, name="和平平安志愿队", kind="safety", now=now)
    volunteer = services.volunteer_register(actor=staff, team=team, name="赵志愿", phone=PHONE, now=now)
    plan = services.ActivityPlan(
        title="周末平安巡逻", starts_at=now, ends_at=now + dt.timedelta(hours=2), hours=Decimal("2"), kind="patrol"
    )
    activity = services.activity_create(actor=staff, community=community, team=team, plan=plan, now=now)

    # The staff member's activity page shows the code and the link it encodes.
    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    console = desktop.new_page()
    console.set_default_timeout(15_000)
    console.goto(f"{base}/console/login/")
    console.fill("#id_username", "hp-staff")
    console.fill("#id_password", PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url(f"{base}/console/")
    console.goto(f"{base}/console/cogovern/activities/{activity.pk}/")
    assert console.evaluate("document.querySelector('figure img').naturalWidth") > 100  # the SVG QR code loaded
    url = console.inner_text("#cg-checkin-url")
    assert url.startswith(f"{base}/m/cogovern/checkin/")

    # The volunteer scans it (opens the link), signs in, confirms; then scans again.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True)
    scan = phone.new_page()
    scan.set_default_timeout(15_000)
    scan.goto(url)
    resident_signs_in(scan, base, PHONE, sms)
    scan.wait_for_url(url)
    scan.click("text=确认签到")
    assert "签到成功，计入服务时长 2.0 小时" in scan.inner_text("#cg-checked")
    scan.goto(url)
    scan.click("text=确认签到")
    assert "您已签到，无需重复签到" in scan.inner_text("#cg-checked")
    assert CheckIn.objects.filter(activity=activity, volunteer=volunteer).count() == 1

    console.reload()
    assert "赵*愿" in console.inner_text("#cg-checkins") and PHONE not in console.inner_text("#cg-checkins")
    phone.close()
    desktop.close()
