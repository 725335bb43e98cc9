"""督办单 in the console: the unit's work bench counter and list, the order page's steps, the appeal page's panel
with the issue form for the centre, and nothing for people outside."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.supervision import services
from shanzhi.supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(scene) -> SupervisionOrder:
    return services.supervision_issue(
        actor=scene.leader, assignment=scene.lead, level="yellow", reason="请加快处理路灯"
    )


def _counter(html: str) -> str:
    start = html.index('data-bucket="supervision"')
    return html[start : start + 300]


def test_the_unit_work_bench_counts_open_orders_and_leads_to_them(scene, order, login) -> None:
    client = login(scene.handler)
    bench = client.get(reverse("console:workbench")).content.decode()
    counter = _counter(bench)
    assert "督办待回复" in counter and '<div class="sz-count">1</div>' in counter
    listing = client.get(reverse("console:supervision_orders") + "?mine=1&state=open").content.decode()
    assert scene.appeal.tracking_no in listing and "请加快处理路灯" in listing
    services.supervision_reply(actor=scene.handler, order=order, reply="已处理")
    bench = client.get(reverse("console:workbench")).content.decode()
    assert '<div class="sz-count">0</div>' in _counter(bench)


def test_the_handler_replies_on_the_order_page(scene, order, login) -> None:
    client = login(scene.handler)
    page = client.get(reverse("console:supervision_order", args=[order.pk])).content.decode()
    assert 'data-order-step="reply"' in page and 'data-order-step="urge"' not in page
    empty = client.post(reverse("console:supervision_reply", args=[order.pk]), {"reply": ""})
    assert empty.status_code == 422
    done = client.post(reverse("console:supervision_reply", args=[order.pk]), {"reply": "已于今日修复"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.state, order.reply) == ("replied", "已于今日修复")
    again = client.post(reverse("console:supervision_reply", args=[order.pk]), {"reply": "再回复一次"})
    assert again.status_code == 409 and "不能执行此操作" in again.content.decode()


def test_the_leader_urges_sends_back_and_closes(scene, order, login) -> None:
    client = login(scene.leader)
    page = client.get(reverse("console:supervision_order", args=[order.pk])).content.decode()
    assert 'data-order-step="urge"' in page and 'data-order-step="close"' in page
    assert 'data-order-step="reply"' not in page
    client.post(reverse("console:supervision_urge", args=[order.pk]), {"note": "请两小时内回复"})
    order.refresh_from_db()
    assert (order.level, order.urge_count) == ("red", 1)
    services.supervision_reply(actor=scene.handler, order=order, reply="处理中")
    client.post(reverse("console:supervision_reject", args=[order.pk]), {"note": "请写明完成时间"})
    order.refresh_from_db()
    assert order.state == "open" and order.returned_note == "请写明完成时间"
    client.post(reverse("console:supervision_close", args=[order.pk]), {"note": ""})
    order.refresh_from_db()
    assert order.state == "closed"


def test_the_appeal_page_offers_the_centre_a_manual_order(scene, login) -> None:
    client = login(scene.leader)
    page = client.get(reverse("console:appeal", args=[scene.appeal.pk])).content.decode()
    assert "data-supervise-form" in page and scene.lead.unit.name in page
    response = client.post(
        reverse("console:supervision_issue", args=[scene.appeal.pk]),
        {"assignment": scene.lead.pk, "level": "red", "reason": "红牌预警，请立即处理"},
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:supervision_order", args=[order.pk])
    assert (order.level, order.issued_by_id, order.unit_id) == ("red", scene.leader.pk, scene.lead.unit_id)
    page = client.get(reverse("console:appeal", args=[scene.appeal.pk])).content.decode()
    assert f'data-order="{order.pk}"' in page
    # the handler sees the order on the appeal page, without the issue form
    handler_page = login(scene.handler).get(reverse("console:appeal", args=[scene.appeal.pk])).content.decode()
    assert f'data-order="{order.pk}"' in handler_page and "data-supervise-form" not in handler_page


def test_an_assignment_of_another_appeal_is_refused(scene, intake, login) -> None:
    other = intake(content="另一处路灯也不亮了")
    client = login(scene.leader)
    response = client.post(
        reverse("console:supervision_issue", args=[other.pk]),
        {"assignment": scene.lead.pk, "level": "red", "reason": "错派单"},
    )
    assert response.status_code == 302 and not SupervisionOrder.objects.exists()


def test_outsiders_get_nothing(scene, order, login, make_user) -> None:
    for user in (scene.outsider, scene.desk.housing_handler, make_user(scene.desk.district.town_b, "dispatcher")):
        client = login(user)
        assert client.get(reverse("console:supervision_order", args=[order.pk])).status_code == 404
        for name, data in (("supervision_reply", {"reply": "x"}), ("supervision_close", {"note": ""})):
            assert client.post(reverse(f"console:{name}", args=[order.pk]), data).status_code == 404
        listing = client.get(reverse("console:supervision_orders") + "?state=all")
        assert listing.status_code == 200 and scene.appeal.tracking_no not in listing.content.decode()
    order.refresh_from_db()
    assert order.state == "open"
    # an operator answers for no unit and issues nothing: no list at all
    assert login(scene.desk.operator).get(reverse("console:supervision_orders")).status_code == 403


def test_the_menu_shows_the_order_list_to_units_and_the_centre(scene, login) -> None:
    for user in (scene.handler, scene.leader):
        page = login(user).get(reverse("console:workbench")).content.decode()
        assert reverse("console:supervision_orders") in page
    page = login(scene.desk.operator).get(reverse("console:workbench")).content.decode()
    assert reverse("console:supervision_orders") not in page


def test_the_warnings_desk_leads_to_the_orders_and_the_weekly_unit_page_shows_the_reply(scene, order, login) -> None:
    client = login(scene.leader)
    desk_page = client.get(reverse("console:supervision")).content.decode()
    assert f'href="{reverse("console:supervision_orders")}"' in desk_page
    services.supervision_reply(actor=scene.handler, order=order, reply="已于当日修复")
    unit_page = client.get(reverse("reports:weekly_unit", args=[scene.lead.unit_id])).content.decode()
    assert "已于当日修复" in unit_page
