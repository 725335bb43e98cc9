"""A closed appeal's page in a real browser, as each member of staff: it opens (or is not found, outside the scope),
and the dispatcher reopens it from the page (the page used to crash with ``KeyError: 'reopen'``)."""

from __future__ import annotations

import pytest
from desk import PASSWORD
from lifecycle_states import appeal_in_state

from shanzhi.appeals.models import Appeal, AppealState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_assisting() -> bool:
    return False  # the 城管局 alone: the 住建局 has no share in the appeal


STAFF_SEES = {
    "operator": True,
    "dispatcher": True,
    "leader": True,
    "analyst": True,
    "urban_handler": True,
    "town_a_handler": True,
    "grid_worker_a": True,
    "housing_handler": False,
    "town_b_handler": False,
}


def _page_as(browser, base: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    return context, page


def test_a_closed_appeal_opens_for_every_role_and_the_dispatcher_reopens_it(live_server, browser, desk, intake):
    appeal = appeal_in_state(desk, intake, AppealState.CLOSED)
    base = live_server.url
    for who, sees in STAFF_SEES.items():
        user = getattr(desk, who)
        context, page = _page_as(browser, base, user.username)
        try:
            response = page.goto(f"{base}/console/appeals/{appeal.pk}/")
            assert response is not None
            assert response.status == (200 if sees else 404), who
            assert (appeal.tracking_no in page.content()) is sees, who
            offers_reopen = page.locator('[data-action-toggle="reopen"]').count() == 1
            assert offers_reopen is (who in ("dispatcher", "leader")), who
            if who == "dispatcher":
                page.click('[data-action-toggle="reopen"]')
                page.wait_for_selector("#act-reopen.show:not(.collapsing)")
                form = page.locator('form[data-action-form="reopen"]')
                form.locator("textarea").fill("路灯又不亮了")
                form.locator('[data-action-submit="reopen"]').click()
                page.wait_for_selector(".alert-success")
                assert Appeal.objects.get(pk=appeal.pk).state == AppealState.DISPATCHED
                appeal = appeal_in_state(desk, intake, AppealState.CLOSED)  # a closed one for the others
        finally:
            context.close()
