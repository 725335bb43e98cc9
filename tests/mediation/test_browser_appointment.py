"""纠纷预约 in a real browser on a phone-sized screen: a signed-in citizen books a slot, sees it under 我的预约,
and the slot is no longer offered; the desk sees the appointment waiting and accepts it as a case."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from shanzhi.mediation.models import Appointment, AppointmentState
from shanzhi.portal.citizen import PHONE_KEY

from .test_browser_loop import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_books_and_the_desk_accepts(live_server, browser, desk, med, output_dir):
    base = live_server.url
    session = SessionStore()
    session[PHONE_KEY] = "13811112222"  # what the portal's one-time-code sign-in leaves in the session
    session.create()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, reduced_motion="reduce")
    host = re.sub(r"^https?://", "", base).split(":")[0]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "domain": host,
                          "path": "/"}])  # fmt: skip
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{base}/m/mediation/")
    phone.wait_for_selector("text=预约手机号：138****2222")
    phone.select_option("#id_slot", str(med.slots[0].pk))
    phone.fill("#id_name", "刘芳")
    phone.select_option("#id_domain", "tenancy")
    phone.fill("#id_description", "退租时房东扣留押金3000元，协商不成。")
    phone.click("#appointment-form button[type=submit]")
    phone.wait_for_selector("text=预约成功")
    assert "已预约" in phone.inner_text("#my-appointments")
    offered = phone.eval_on_selector_all("#id_slot option", "options => options.map(o => o.value)")
    assert str(med.slots[0].pk) not in offered
    phone.screenshot(path=str(output_dir / "mediation-appointment.png"), full_page=True)
    context.close()

    desk_page = log_in(browser, base, "med")
    desk_page.goto(f"{base}/console/mediation/")
    row = desk_page.locator("#appointment-list tr", has_text="刘*")
    row.locator("select[name=unit]").select_option(str(desk.district.community_a.pk))
    row.locator("input[name=respondent]").fill("房东孙某")
    row.locator("button[type=submit]").click()
    desk_page.wait_for_selector(".alert-success >> text=已受理预约")
    appointment = Appointment.objects.get()
    assert appointment.state == AppointmentState.ACCEPTED and appointment.case is not None
    assert desk_page.inner_text("#case-state") == "已登记"
