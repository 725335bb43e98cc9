"""English beyond the first pass: the console's search and intake help, the appeal page, the reports (monthly body,
KPI headers, weekly columns), the dashboard's gauges and channels, generated dispatch explanations and the admin's
section names — and Chinese stays Chinese."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from shanzhi.core import clock
from shanzhi.reports import rules
from shanzhi.routing.services import dispatch_plan

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/console/"})
    return client


def test_work_bench_search_box_in_english(desk, intake, login):
    intake()
    html = english(login(desk.urban_handler)).get(reverse("console:workbench")).content.decode()
    assert "Number / phone / title / name" in html
    assert "Search appeals: number, phone, words of the title or content, or the caller" in html
    assert "编号 / 电话 / 标题 / 姓名" not in html


def test_work_bench_search_box_stays_chinese_in_chinese(desk, intake, login):
    intake()
    html = login(desk.urban_handler).get(reverse("console:workbench")).content.decode()
    assert "编号 / 电话 / 标题 / 姓名" in html and "Number / phone / title / name" not in html


def test_intake_page_help_in_english(desk, login):
    html = english(login(desk.operator)).get(reverse("console:intake")).content.decode()
    assert "a category, an urgency and a handling unit are suggested here" in html
    assert "Check before registering" in html


def test_appeal_page_in_english(desk, intake, login):
    appeal = intake()
    html = english(login(desk.leader)).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "Timeline" in html and "Number / phone / title / name" in html
    assert "已派遣" not in html and "热线" not in html


def test_dispatch_explanation_is_built_in_the_active_language(desk):
    category = desk.road_light
    with translation.override("en"):
        text = dispatch_plan(category=category, area=desk.district.grid_a).explanation_text
    assert "Dispatch catalogue line" in text and "Category " in text and "派单目录" not in text
    with translation.override("zh-hans"):
        text = dispatch_plan(category=category, area=desk.district.grid_a).explanation_text
    assert "派单目录第" in text


def test_monthly_report_in_english(desk, intake, login):
    intake()
    month = clock.local_date(clock.now()).strftime("%Y-%m")
    html = english(login(desk.analyst)).get(reverse("reports:monthly"), {"month": month}).content.decode()
    for text in (
        "Appeal handling analysis, ",
        "appeals were received this month",
        "Overview",
        "Appeals received",
        "Unit ranking by composite score",
        "Rank",
        "Response rate",
        "On-time sign-for rate",
        "Average handling time (hours)",
        "Citizen satisfaction",
    ):
        assert text in html, text
    for text in ("本月共受理诉求", "单位综合考评排名", "签收及时率", "诉求办理分析报告"):
        assert text not in html, text


def test_monthly_report_stays_chinese_in_chinese(desk, intake, login):
    intake()
    month = clock.local_date(clock.now()).strftime("%Y-%m")
    html = login(desk.analyst).get(reverse("reports:monthly"), {"month": month}).content.decode()
    assert "本月共受理诉求" in html and "单位综合考评排名" in html and "签收及时率" in html
    assert "appeals were received this month" not in html


def test_kpi_and_weekly_headers_in_english(desk, intake, login):
    intake()
    client = english(login(desk.leader))
    kpis = client.get(reverse("reports:index")).content.decode()
    assert "On-time sign-for rate" in kpis and "By unit" in kpis and "签收及时率" not in kpis
    weekly = client.get(reverse("reports:weekly")).content.decode()
    assert "Returned this week" in weekly and "本周退回" not in weekly


def test_dashboard_gauges_and_channels_in_english(desk, intake, login):
    intake()
    data = english(login(desk.leader)).get(reverse("reports:dashboard_data")).json()
    assert [g["name"] for g in data["gauges"]] == [
        "Response rate",
        "On-time close rate",
        "Satisfaction rate",
        "Composite score",
    ]
    assert data["by_channel"] and all(not CHINESE.search(c["name"]) for c in data["by_channel"])
    assert all(not CHINESE.search(e["kind"]) for e in data["events"])


def test_summary_sentences_in_both_languages():
    figures = rules.MonthFigures(
        received=120, previous_received=100, last_year_received=0, top_categories=[("路灯", 30)],
        top_channel=("热线", 60), top_town=("新华街道", 50), on_time_close_rate=0.9, satisfaction_rate=0.95,
        best_unit="城管局", worst_unit="住建局",
    )  # fmt: skip
    with translation.override("en"):
        text = " ".join(rules.summary_sentences(figures))
    assert "120 appeals were received this month, up 20.0% month on month." in text
    assert "By channel, Hotline brought the most: 60, 50.0% of all." in text
    assert "城管局 ranks first; 住建局 ranks last" in text
    with translation.override("zh-hans"):
        text = " ".join(rules.summary_sentences(figures))
    assert "本月共受理诉求 120 件，环比增长 20.0%。" in text
    assert "从来源看，热线渠道最多，60 件，占 50.0%。" in text
    assert "综合考评中，城管局排名第一；住建局排名末位，需加强督办。" in text


def test_admin_section_names_follow_the_language(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root-i18n", password="x-Very-long-pass-1")
    client.force_login(admin)
    chinese = client.get("/admin/").content.decode()
    assert "诉求办理" in chinese and "预警与督办" in chinese and ">Appeals<" not in chinese
    english(client)
    html = client.get("/admin/").content.decode()
    assert "Appeals" in html and "Warnings and supervision" in html and "诉求办理" not in html
