"""调解员值班表 in a real browser: the dispatcher puts the committee's mediator on leave today and saves; the page
shows them off duty today (the assignment reads the same entry: tests/mediation/test_schedules.py)."""

from __future__ import annotations

import re

import pytest

from shanzhi.core import clock
from shanzhi.mediation.models import DutyEntry

from .test_browser_loop import log_in, wait_for_success

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatcher_edits_the_week(live_server, browser, desk, med):
    base = live_server.url
    today = clock.local_date().isoformat()
    page = log_in(browser, base, "disp")
    page.goto(f"{base}/console/mediation/")
    page.wait_for_url(f"{base}/console/mediation/")
    page.click("#schedule-link")
    page.wait_for_url(re.compile(r".*/console/mediation/schedule/$"))
    page.select_option("#schedule-committee", str(med.committee.pk))
    page.click("#schedule-pick button[type=submit]")
    page.wait_for_url(re.compile(rf".*/console/mediation/schedule/\?committee={med.committee.pk}.*"))
    m = med.mediator
    cell = page.locator(f'tr[data-mediator="{m.pk}"] td[data-day="{today}"]')
    assert cell.get_attribute("data-on-duty") == "1"
    page.select_option(f"#day-{m.pk}-{today}", "leave")
    page.click("#schedule-save")
    page.wait_for_url(re.compile(r".*/console/mediation/schedule/\?committee=.*"))
    wait_for_success(page, "已保存值班表")
    assert page.locator(f'tr[data-mediator="{m.pk}"] td[data-day="{today}"]').get_attribute("data-on-duty") == "0"
    assert DutyEntry.objects.get(mediator=m).status == "leave"
    page.context.close()
