"""The resident pages under /m/cogovern/: post a demand with the portal's session, follow it to done, support and
comment; the QR check-in page; and what residents who are not signed in or not the author get."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from shanzhi.cogovern import services
from shanzhi.cogovern.models import CheckIn, Demand

from .conftest import NOW, RESIDENT

pytestmark = pytest.mark.django_db


def test_a_resident_posts_a_demand_and_sees_it_done(desk, co, resident_client):
    page = resident_client.get("/m/cogovern/demands/new/")
    assert page.status_code == 200 and "138****5678" in page.content.decode()
    response = resident_client.post(
        "/m/cogovern/demands/new/",
        {
            "community": desk.district.community_a.pk,
            "title": "希望增设休息座椅",
            "content": "公园里老人走累了没地方坐。",
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/cogovern/demands/{demand.pk}/"
    assert demand.resident_phone == RESIDENT and demand.community == desk.district.community_a
    assert "待匹配" in resident_client.get("/m/cogovern/demands/mine/").content.decode()

    demand = services.demand_match(actor=co.staff_a, demand=demand, resource=co.resource_a, now=NOW)
    project = services.project_create(
        actor=co.staff_a, demand=demand, title="增设座椅", milestones=[("采购", None)], now=NOW
    )
    services.project_start(actor=co.staff_a, project=project, now=NOW)
    services.project_finish(actor=co.staff_a, project=project, result="已安装 10 张座椅", now=NOW)

    detail = resident_client.get(f"/m/cogovern/demands/{demand.pk}/").content.decode()
    assert "已完成" in detail and "已安装 10 张座椅" in detail
    assert "已完成" in resident_client.get("/m/cogovern/demands/mine/").content.decode()
    public = Client().get(f"/m/cogovern/projects/{project.pk}/").content.decode()
    assert "增设座椅" in public and "采购" in public and RESIDENT not in public


def test_signing_in_is_asked_for_and_bad_input_refused(desk, resident_client):
    response = Client().get("/m/cogovern/demands/new/")
    assert response.status_code == 302 and response["Location"].startswith("/m/signin/?next=")
    assert Client().get("/m/cogovern/demands/mine/").status_code == 302
    response = resident_client.post(
        "/m/cogovern/demands/new/",
        {"community": desk.district.town_a.pk, "title": "标题够长", "content": "内容也够长了"},
    )
    assert response.status_code == 422 and not Demand.objects.exists()


def test_votes_comments_and_declined_demands(desk, co, resident_client):
    demand = services.demand_post(
        phone="13700007777",
        community=desk.district.community_a,
        title="希望开设书法班",
        content="退休老人想学书法。",
        now=NOW,
    )
    resident_client.post(f"/m/cogovern/demands/{demand.pk}/vote/")
    resident_client.post(f"/m/cogovern/demands/{demand.pk}/vote/")
    resident_client.post(f"/m/cogovern/demands/{demand.pk}/comment/", {"text": "我也想学"})
    demand.refresh_from_db()
    assert demand.votes == 1 and demand.comments.get().text == "我也想学"
    page = Client().get(f"/m/cogovern/demands/{demand.pk}/").content.decode()
    assert "我也想学" in page and "13700007777" not in page and RESIDENT not in page
    services.demand_decline(actor=co.staff_a, demand=demand, reason="场地不足", now=NOW)
    assert Client().get(f"/m/cogovern/demands/{demand.pk}/").status_code == 404  # only its author sees it
    assert resident_client.get(f"/m/cogovern/demands/{demand.pk}/").status_code == 404
    index = Client().get("/m/cogovern/").content.decode()
    assert "希望开设书法班" not in index


def test_scanning_the_qr_twice_counts_once(co, resident_client):
    url = f"/m/cogovern/checkin/{services.checkin_token(co.activity_a)}/"
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        assert "确认签到" in resident_client.get(url).content.decode()
        first = resident_client.post(url).content.decode()
        second = resident_client.post(url).content.decode()
    assert "签到成功，计入服务时长 2.0 小时" in first
    assert "您已签到，无需重复签到" in second
    assert CheckIn.objects.filter(activity=co.activity_a).count() == 1
    assert Client().get(url).status_code == 302  # sign in first
    assert Client().get("/m/cogovern/checkin/forged-token/").status_code == 404


def test_a_volunteer_signs_up_once_and_a_stranger_is_refused(co, resident_client):
    with time_machine.travel(NOW - dt.timedelta(hours=3), tick=False):
        page = resident_client.get("/m/cogovern/activities/").content.decode()
        assert "夜间平安巡逻" in page and "我要报名" in page
        resident_client.post(f"/m/cogovern/activities/{co.activity_a.pk}/signup/")
        resident_client.post(f"/m/cogovern/activities/{co.activity_a.pk}/signup/")
        assert "已报名 1/20" in resident_client.get("/m/cogovern/activities/").content.decode()
        stranger = Client()
        session = stranger.session
        session["citizen_phone"] = "13700001234"
        session.save()
        response = stranger.post(f"/m/cogovern/activities/{co.activity_a.pk}/signup/", follow=True)
        assert "您尚未在本社区登记为志愿者" in response.content.decode()
    assert co.activity_a.signups.count() == 1
