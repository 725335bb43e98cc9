"""按此派单 on the console: the dispatcher sees the machine's suggestions (with why) and dispatches by one click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_classifier(monkeypatch):
    """The classifier never decides in these tests: suggestions are set on the appeal by hand."""
    monkeypatch.setattr("shanzhi.routing.classifier.store.current_version", lambda: None)


def suggestions(desk) -> list[dict]:
    d = desk.district
    return [
        {
            "category_id": desk.property_service.pk,
            "path": desk.property_service.path,
            "score": 0.62,
            "model": "v3",
            "lead_unit_id": d.town_a.pk,
            "lead_unit_name": d.town_a.name,
            "assisting": [],
            "explanation": (
                f"{desk.property_service.path} 0.62 by model v3；网格 和平社区第1网格 → 凤凰岭街道；派单目录第 2 条"
            ),
        },
        {
            "category_id": desk.road_light.pk,
            "path": desk.road_light.path,
            "score": 0.21,
            "model": "v3",
            "lead_unit_id": d.dept_urban.pk,
            "lead_unit_name": d.dept_urban.name,
            "assisting": [],
            "explanation": f"{desk.road_light.path} 0.21 by model v3；派单目录第 1 条",
        },
    ]


@pytest.fixture
def waiting(desk, intake):
    """An appeal accepted without a category, waiting for the dispatcher with two suggestions."""

    def make(**kw) -> Appeal:
        appeal = intake(category=None, content="楼道里的灯坏了，物业不管", **kw)
        assert appeal.state in (AppealState.ACCEPTED, AppealState.RECEIVED) and appeal.category_id is None
        Appeal.objects.filter(pk=appeal.pk).update(routing_suggestions=suggestions(desk))
        return Appeal.objects.get(pk=appeal.pk)

    return make


def post_suggestion(client, appeal, index, desk, **extra):
    item = suggestions(desk)[index]
    data = {"category": item["category_id"], "lead_unit": item["lead_unit_id"], **extra}
    return client.post(reverse("console:dispatch_suggestion", args=[appeal.pk]), data)


def test_detail_shows_suggestions_with_explanations(desk, waiting, login):
    appeal = waiting()
    page = login(desk.dispatcher).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert 'id="routing-suggestions"' in page
    assert page.count("按此派单") == 2
    assert "网格 和平社区第1网格 → 凤凰岭街道；派单目录第 2 条" in page
    assert "0.62" in page and desk.district.dept_urban.name in page


def test_operator_and_other_roles_do_not_see_the_buttons(desk, waiting, login):
    appeal = waiting()
    page = login(desk.operator).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "按此派单" not in page


def test_one_click_dispatches_to_the_suggested_unit_and_keeps_why(desk, waiting, login):
    appeal = waiting()
    client = login(desk.dispatcher)
    response = post_suggestion(client, appeal, 0, desk)
    assert response.status_code == 302
    assert response["Location"] == reverse("console:appeal", args=[appeal.pk])
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.category == desk.property_service
    assert appeal.lead_unit == desk.district.town_a
    assert "按系统建议派单" in appeal.routing_explanation
    assert "by model v3" in appeal.routing_explanation
    # the dispatcher's choice is kept as a confirmed label (training history)
    structured = AppealEvent.objects.get(appeal=appeal, kind=EventKind.STRUCTURED)
    assert structured.payload["category"] == desk.property_service.path
    page = client.get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "已按建议派遣至 凤凰岭街道" in page
    assert 'id="routing-suggestions"' not in page  # dispatched: nothing left to suggest


def test_second_suggestion_uses_its_own_category_and_unit(desk, waiting, login):
    appeal = waiting()
    post_suggestion(login(desk.dispatcher), appeal, 1, desk)
    appeal.refresh_from_db()
    assert (appeal.category, appeal.lead_unit) == (desk.road_light, desk.district.dept_urban)


def test_without_lead_unit_the_catalogue_decides(desk, waiting, login):
    appeal = waiting()
    client = login(desk.dispatcher)
    client.post(reverse("console:dispatch_suggestion", args=[appeal.pk]), {"category": desk.road_light.pk})
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit == desk.district.dept_urban


def test_raw_message_is_accepted_and_dispatched_in_one_click(desk, waiting, login):
    appeal = waiting(structured=False)
    assert appeal.state == AppealState.RECEIVED
    post_suggestion(login(desk.dispatcher), appeal, 0, desk)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED
    assert (appeal.category, appeal.lead_unit) == (desk.property_service, desk.district.town_a)


def test_service_refusal_is_a_message_and_changes_nothing(desk, waiting, login):
    appeal = waiting(area=None, address="")
    client = login(desk.dispatcher)
    # a territorial category without a place: the catalogue cannot choose a lead unit
    response = client.post(
        reverse("console:dispatch_suggestion", args=[appeal.pk]), {"category": desk.property_service.pk}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "alert-danger" in page and "Traceback" not in page
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED and appeal.category_id is None


def test_operator_cannot_dispatch_by_suggestion(desk, waiting, login):
    appeal = waiting()
    response = post_suggestion(login(desk.operator), appeal, 0, desk, next="/console/")
    assert response.status_code == 302 and response["Location"] == "/console/"
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED


def test_user_outside_the_scope_gets_404(desk, waiting, login, make_user):
    appeal = waiting()
    outsider = make_user(desk.district.town_b, "dispatcher", username="tb-disp")
    response = post_suggestion(login(outsider), appeal, 0, desk)
    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED


def test_foreign_next_url_is_ignored(desk, waiting, login):
    appeal = waiting()
    response = post_suggestion(login(desk.dispatcher), appeal, 0, desk, next="https://evil.example/")
    assert response["Location"] == reverse("console:appeal", args=[appeal.pk])


def test_malformed_suggestions_are_skipped(desk, waiting, login):
    appeal = waiting()
    Appeal.objects.filter(pk=appeal.pk).update(
        routing_suggestions=[{"path": "no id"}, "junk", {"category_id": desk.road_light.pk, "score": "x"}]
    )
    page = login(desk.dispatcher).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert page.count("按此派单") == 1


def test_dispatch_queue_shows_top_suggestion_and_dispatches(desk, waiting, login, intake):
    appeal = waiting()
    plain = intake(category=None, content="没有建议的诉求")
    client = login(desk.dispatcher)
    url = reverse("console:workbench") + "?view=centre&bucket=to_dispatch"
    page = client.get(url).content.decode()
    assert 'id="dispatch-queue"' in page
    assert desk.property_service.path in page and "0.62" in page
    assert page.count('data-suggestion-submit="') == 1  # the appeal without suggestions gets a link instead
    assert plain.tracking_no in page
    response = post_suggestion(client, appeal, 0, desk, next=url)
    assert response["Location"] == url
    appeal.refresh_from_db()
    assert appeal.lead_unit == desk.district.town_a
    after = client.get(url).content.decode()
    assert f"{appeal.tracking_no} 已按建议派遣至 凤凰岭街道" in after
    assert f'data-appeal="{appeal.pk}"' not in after


def test_other_buckets_keep_the_plain_table(desk, waiting, login):
    waiting()
    page = login(desk.dispatcher).get(reverse("console:workbench") + "?bucket=todo").content.decode()
    assert 'id="dispatch-queue"' not in page
