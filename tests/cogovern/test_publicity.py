"""Legal publicity: the four forces publish articles and videos; the portal shows them by topic and counts reads
and plays per day; the month's reads and plays appear in the monthly report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from shanzhi.cogovern import publicity
from shanzhi.cogovern.models import PublicityDaily, PublicityItem
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.reports import exports, monthly

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(co):
    article = publicity.publicity_save(
        actor=co.staff_a,
        draft=publicity.Draft("article", "legal_aid", "民法典", "民法典里的相邻关系", "邻里之间通行、采光有规定……"),
        now=NOW,
    )
    video = publicity.publicity_save(
        actor=co.staff_a,
        draft=publicity.Draft(
            "video", "judicial", "反诈骗", "三分钟识破电信诈骗", "法官讲案例。", video_url="https://v.example.cn/1.mp4"
        ),
        now=NOW,
    )
    draft = publicity.publicity_save(
        actor=co.staff_a,
        draft=publicity.Draft("article", "mediation", "婚姻家庭", "未发布的草稿", "草稿内容。"),
        now=NOW,
    )
    for item in (article, video):
        publicity.publicity_publish(actor=co.staff_a, item=item, published=True, now=NOW)
    return article, video, draft


def test_refusals(co, desk):
    with pytest.raises(ValidationFailed) as error:
        publicity.publicity_save(
            actor=co.staff_a,
            draft=publicity.Draft("video", "judicial", "反诈", "没有地址的视频", "内容内容内容"),
            now=NOW,
        )
    assert error.value.code == "video_url_required"
    with pytest.raises(PermissionDenied):
        publicity.publicity_save(
            actor=desk.urban_handler,
            draft=publicity.Draft("article", "judicial", "反诈", "标题", "内容内容内容"),
            now=NOW,
        )
    assert not PublicityItem.objects.exists()


def test_portal_by_topic_counts_reads_and_plays(items):
    article, video, draft = items
    visitor = Client()
    index = visitor.get("/m/cogovern/law/").content.decode()
    assert "民法典里的相邻关系" in index and "三分钟识破电信诈骗" in index and "未发布的草稿" not in index
    topic = visitor.get("/m/cogovern/law/?topic=反诈骗").content.decode()
    assert "三分钟识破电信诈骗" in topic and "民法典里的相邻关系" not in topic
    assert visitor.get(f"/m/cogovern/law/{draft.pk}/").status_code == 404
    with time_machine.travel(NOW, tick=False):
        visitor.get(f"/m/cogovern/law/{article.pk}/")
        visitor.get(f"/m/cogovern/law/{article.pk}/")
        page = visitor.get(f"/m/cogovern/law/{video.pk}/").content.decode()
        assert 'data-play-url="/m/cogovern/law/' in page
        assert visitor.post(f"/m/cogovern/law/{video.pk}/play/").status_code == 204
        assert visitor.post(f"/m/cogovern/law/{article.pk}/play/").status_code == 422
    article.refresh_from_db()
    video.refresh_from_db()
    assert (article.reads, article.plays, video.reads, video.plays) == (2, 0, 1, 1)
    day = PublicityDaily.objects.get(item=article)
    assert (day.day.isoformat(), day.reads) == ("2026-03-10", 2)


def test_reads_and_plays_in_the_monthly_report(desk, items):
    article, video, _draft = items
    for _ in range(3):
        publicity.publicity_read(item=article, now=NOW)
    for _ in range(5):
        publicity.publicity_play(item=video, now=NOW)
    publicity.publicity_play(item=video, now=NOW - dt.timedelta(days=30))  # February
    report = monthly.monthly_report(user=desk.analyst, year=2026, month=3, now=NOW + dt.timedelta(days=10))
    assert "普法宣传：本月阅读 3 次，短视频播放 5 次。" in " ".join(report.summary)
    _heading, header, rows = next(s for s in exports.monthly_sections(report) if s[0] == "普法宣传")
    assert header == ["发布力量", "阅读(次)", "播放(次)"]
    assert rows == [["司法机关", 0, 5], ["法律援助", 3, 0], ["合计", 3, 5]]
    sheet = load_workbook(io.BytesIO(exports.monthly_xlsx(report)))["普法宣传"]
    assert ["合计", 3, 5] in [[c.value for c in row][:3] for row in sheet.iter_rows()]


def test_console_edit_and_publish(login, co, desk):
    client = login(co.staff_a)
    response = client.post(
        "/console/cogovern/publicity/new/",
        {
            "kind": "article",
            "force": "administrative",
            "topic": "安全生产",
            "title": "燃气安全须知",
            "body": "燃气使用要点……",
        },
    )
    item = PublicityItem.objects.get()
    assert response.status_code == 302 and not item.is_published
    client.post(f"/console/cogovern/publicity/{item.pk}/publish/", {"published": "1"})
    item.refresh_from_db()
    assert item.is_published and item.published_at is not None
    assert "燃气安全须知" in client.get("/console/cogovern/publicity/").content.decode()
    assert login(desk.urban_handler).get("/console/cogovern/publicity/").status_code == 403
    assert login(desk.analyst).get("/console/cogovern/publicity/new/").status_code == 403
