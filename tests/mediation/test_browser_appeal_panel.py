"""诉求转调解 in a real browser: the dispatcher converts a dispute appeal from its page; the appeal page then links
the case, and the case page links back to the appeal."""

from __future__ import annotations

import re

import pytest

from shanzhi.mediation.models import Case

from .test_browser_loop import log_in, wait_for_success

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_converts_an_appeal_from_its_page(live_server, browser, desk, med, intake):
    base = live_server.url
    appeal = intake(content="楼上邻居装修噪音扰民，多次协商无果，希望调解", category=desk.property_service)
    page = log_in(browser, base, "disp")
    page.goto(f"{base}/console/appeals/{appeal.pk}/")
    page.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
    panel = page.locator("#mediation-panel")
    assert panel.locator("#id_med_domain").input_value() == "property"
    panel.locator("#id_med_domain").select_option("neighbours")
    panel.locator("#id_med_respondent_name").fill("赵六")
    panel.locator("#mediation-convert").click()
    page.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
    wait_for_success(page, "已转为调解案件")
    case = Case.objects.get(appeal=appeal)
    assert page.inner_text("#mediation-case-link") == case.number
    page.click("#mediation-case-link")
    page.wait_for_url(re.compile(rf".*/console/mediation/cases/{case.pk}/$"))
    assert page.inner_text("#case-appeal") == appeal.tracking_no
    page.click("#case-appeal")
    page.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
    assert page.locator("#mediation-convert-form").count() == 0
    page.context.close()
