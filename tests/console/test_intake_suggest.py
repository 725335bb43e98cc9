"""Intake as the operator types: category and urgency suggestions (calibrated, with the catalogue's unit), the
duplicate-call warning with 合并到该诉求, both in the operator's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from routing.desk_model import desk_model_promote

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.proactive.models import DuplicateProposal

pytestmark = pytest.mark.django_db

CALL = "和平路12号门口的路灯坏了，晚上不亮"


def suggest(client, **data):
    return client.post(reverse("console:intake_suggest"), {"channel": "hotline", **data})


def test_suggestions_as_the_operator_types(desk, login, settings, tmp_path):
    desk_model_promote(desk, settings, tmp_path)
    client = login(desk.operator)
    short = suggest(client, content="路灯")
    assert short.status_code == 200 and "再多输入几个字" in short.content.decode()
    response = suggest(client, content=CALL, area=str(desk.district.grid_a.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-suggest-category="{desk.road_light.pk}"' in html
    assert desk.road_light.path in html and desk.district.dept_urban.name in html  # where it would be routed
    first = response.context["suggestions"][0]
    assert first.category_id == desk.road_light.pk and 0 < first.score <= 1
    assert 'data-suggest-urgency="ordinary"' in html


def test_urgency_is_raised_by_words_of_danger(desk, login, settings, tmp_path):
    desk_model_promote(desk, settings, tmp_path)
    response = suggest(login(desk.operator), content="小区路灯杆被撞倒了，电线掉在地上，有人触电危险")
    assert response.context["urgency"]["value"] == "emergency"
    assert "含“触电”" in response.content.decode()


def test_without_a_model_the_operator_is_told(desk, login):
    response = suggest(login(desk.operator), content=CALL)
    assert response.status_code == 200 and "尚无分类模型" in response.content.decode()


def test_only_the_intake_desk_may_ask(desk, login):
    assert suggest(login(desk.urban_handler), content=CALL).status_code == 403
    assert login(desk.urban_handler).post(reverse("console:intake_duplicates"), {"content": CALL}).status_code == 403
    assert login(desk.operator).get(reverse("console:intake_suggest")).status_code == 405


def duplicates(client, **data):
    return client.post(reverse("console:intake_duplicates"), data)


def test_duplicate_warning_shows_open_appeals_in_scope(desk, intake, login, make_user):
    earlier = intake(content=CALL, citizen_phone="13800001234")
    closed = intake(content=CALL + "。", citizen_phone="13800001234")
    Appeal.objects.filter(pk=closed.pk).update(state=AppealState.CLOSED)
    data = {"citizen_phone": "138 0000 1234", "content": "和平路12号门口路灯坏了，晚上不亮", "address": "和平路12号"}
    response = duplicates(login(desk.operator), **data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "intake-duplicate-warning" in html and earlier.tracking_no in html
    assert f'name="merge_into" value="{earlier.pk}"' in html and 'form="intake-form"' in html
    assert closed.tracking_no not in html  # closed: not a duplicate candidate
    assert "138****1234" in html and "13800001234" not in html  # the caller's number masked
    # A desk of another town does not see the appeal in grid A, and so is not warned of it.
    town_b_operator = make_user(desk.district.town_b, "operator")
    other = duplicates(login(town_b_operator), **data)
    assert other.status_code == 200
    assert earlier.tracking_no not in other.content.decode() and "未发现疑似重复" in other.content.decode()


def test_nothing_to_compare_yet(desk, login):
    html = duplicates(login(desk.operator), content="路灯").content.decode()
    assert "未发现疑似重复" in html


def form_data(desk, **overrides) -> dict:
    data = {
        "idempotency_key": "dup-1",
        "channel": "hotline",
        "citizen_phone": "13900005678",
        "citizen_name": "王五",
        "wants_reply": "on",
        "appeal_type": "help",
        "category": str(desk.road_light.pk),
        "urgency": "",
        "title": "",
        "content": "和平路12号门口路灯坏了，晚上不亮",
        "address": "和平路12号",
        "area": str(desk.district.grid_a.pk),
        "longitude": "",
        "latitude": "",
    }
    data.update(overrides)
    return data


def test_register_and_merge_into_the_open_appeal(desk, intake, login):
    master = intake(content=CALL)
    response = login(desk.operator).post(
        reverse("console:intake"), form_data(desk, merge_into=str(master.pk)), follow=True
    )
    new = Appeal.objects.exclude(pk=master.pk).get()
    assert new.state == AppealState.MERGED and new.master_id == master.pk
    assert not new.assignments.filter(state__in=["pending", "signed"]).exists()  # never dispatched
    assert response.redirect_chain[-1][0] == reverse("console:appeal", args=[master.pk])
    assert f"已登记 {new.tracking_no} 并合并到 {master.tracking_no}" in response.content.decode()


def test_merge_into_a_closed_or_unknown_appeal_is_refused_and_nothing_written(desk, intake, login):
    master = intake(content=CALL)
    Appeal.objects.filter(pk=master.pk).update(state=AppealState.CLOSED)
    response = login(desk.operator).post(reverse("console:intake"), form_data(desk, merge_into=str(master.pk)))
    assert response.status_code == 422 and "所选诉求已不能合并" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_the_proposer_runs_after_each_console_intake(desk, intake, login, django_capture_on_commit_callbacks):
    master = intake(content=CALL)
    with django_capture_on_commit_callbacks(execute=True):
        login(desk.operator).post(reverse("console:intake"), form_data(desk))
    new = Appeal.objects.exclude(pk=master.pk).get()
    assert new.state == AppealState.DISPATCHED
    assert DuplicateProposal.objects.filter(appeal=new, master=master).exists()


def test_intake_page_has_the_panels_and_the_picker(desk, login):
    html = login(desk.operator).get(reverse("console:intake")).content.decode()
    assert 'id="routing-intake-suggestions"' in html and 'hx-post="/console/intake/suggest/"' in html
    assert 'id="intake-duplicates"' in html and 'hx-post="/console/intake/duplicates/"' in html
    assert "console/picker.js" in html and "console/intake_suggest.js" in html


def test_probabilities_are_never_written_as_certain_or_impossible():
    from shanzhi.console.templatetags.routing_tags import probability

    assert [probability(v) for v in (0.6234, 0.0004, 0.9991, 1.0, 0.0, "x", None)] == [
        "0.62",
        "<0.01",
        ">0.99",
        ">0.99",
        "<0.01",
        "—",
        "—",
    ]
