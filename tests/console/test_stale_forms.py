"""Optimistic locking: a form sent from a page drawn before someone else's change gets a clear conflict (409) and
changes nothing; the page it gets back carries the current version, so sending again after reading works."""

from __future__ import annotations

import re

import pytest
from lifecycle_states import appeal_in_state

from shanzhi.appeals import services
from shanzhi.appeals.models import Appeal, AppealState

pytestmark = pytest.mark.django_db


def _version_on_page(html: str, code: str) -> int:
    form = html.split(f'data-action-form="{code}"', 1)[1].split("</form>", 1)[0]
    return int(re.search(r'name="version" value="(\d+)"', form).group(1))


def test_a_stale_redo_form_gets_a_conflict_instead_of_overwriting_the_reply(desk, intake, login):
    appeal = appeal_in_state(desk, intake, AppealState.FEEDBACK)
    client = login(desk.dispatcher)
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    drawn_at = _version_on_page(page, "redo")
    assert drawn_at == appeal.version

    services.appeal_reply(actor=desk.operator, appeal=appeal, text="已修复")  # meanwhile, at the desk

    stale = client.post(f"/console/appeals/{appeal.pk}/actions/redo/", {"reason": "反馈不实", "version": drawn_at})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "已被他人更新" in html
    fresh = Appeal.objects.get(pk=appeal.pk)
    assert fresh.state == AppealState.REPLIED and fresh.round == 1
    assert not fresh.events.filter(kind="redo").exists()

    again = client.post(
        f"/console/appeals/{appeal.pk}/actions/redo/",
        {"reason": "反馈不实", "version": _version_on_page(html, "redo")},
    )
    assert again.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).round == 2


def test_a_current_form_goes_through(desk, intake, login):
    appeal = appeal_in_state(desk, intake, AppealState.REPLIED)
    response = login(desk.operator).post(
        f"/console/appeals/{appeal.pk}/actions/close/", {"note": "诉求人不需回访", "version": appeal.version}
    )
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.CLOSED
