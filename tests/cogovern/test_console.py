"""The console pages: the menu entry, every list and form for community staff, the match → project → finish
through the pages, the volunteers masked and the logged full view, the QR code, the centres' checklist."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.cogovern import services
from shanzhi.cogovern.models import CentreCheck, CentreEvidence, ChecklistItem, Demand, Project, Volunteer
from shanzhi.core.models import PersonalDataAccess

from .conftest import NOW, RESIDENT

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/cogovern/",
    "/console/cogovern/demands/",
    "/console/cogovern/demands/new/",
    "/console/cogovern/resources/",
    "/console/cogovern/resources/new/",
    "/console/cogovern/projects/",
    "/console/cogovern/forces/",
    "/console/cogovern/forces/new/",
    "/console/cogovern/teams/",
    "/console/cogovern/activities/",
    "/console/cogovern/activities/new/",
    "/console/cogovern/centres/",
]


def test_menu_and_pages(login, co):
    client = login(co.staff_a)
    workbench = client.get("/console/").content.decode()
    assert 'href="/console/cogovern/"' in workbench
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    index = client.get("/console/cogovern/").content.decode()
    assert "志愿队伍 1 支，在册志愿者 1 人，其中平安志愿者 1 人。" in index
    assert "志愿队伍 0 支，在册志愿者 0 人" in login(co.staff_b).get("/console/cogovern/").content.decode()


def test_match_plan_and_finish_through_the_pages(login, desk, co):
    demand = services.demand_post(
        phone=RESIDENT, community=desk.district.community_a, title="需要老年助餐", content="独居老人吃饭难。", now=NOW
    )
    client = login(co.staff_a)
    page = client.get(f"/console/cogovern/demands/{demand.pk}/").content.decode()
    assert "138****5678" in page and RESIDENT not in page and "和平社区活动室" in page
    client.post(f"/console/cogovern/demands/{demand.pk}/match/", {"resource": co.resource_a.pk, "note": "活动室供餐"})
    assert Demand.objects.get(pk=demand.pk).state == "matched"
    response = client.post(
        f"/console/cogovern/demands/{demand.pk}/project/",
        {"title": "老年助餐点", "budget": "3000", "beneficiaries": "30", "milestones": "选址 2026-03-15\n开餐"},
    )
    project = Project.objects.get()
    assert response["Location"] == f"/console/cogovern/projects/{project.pk}/"
    assert [(m.title, str(m.due_on)) for m in project.milestones.all()] == [("选址", "2026-03-15"), ("开餐", "None")]
    client.post(f"/console/cogovern/projects/{project.pk}/start/")
    client.post(f"/console/cogovern/projects/{project.pk}/finish/", {"result": "助餐点已开"})
    assert Demand.objects.get(pk=demand.pk).state == "done"
    # a refused step shows the coded message and changes nothing
    response = client.post(f"/console/cogovern/projects/{project.pk}/start/", follow=True)
    assert "项目当前为“已完成”，不能执行此操作" in response.content.decode()


def test_volunteers_masked_and_the_full_view_logged(login, co):
    client = login(co.staff_a)
    client.post(f"/console/cogovern/teams/{co.team_a.pk}/", {"name": "李四光", "phone": "13611112222"})
    assert Volunteer.objects.filter(team=co.team_a).count() == 2
    page = client.get(f"/console/cogovern/teams/{co.team_a.pk}/").content.decode()
    assert "王*明" in page and "138****5678" in page and "王小明" not in page and RESIDENT not in page
    head = login(co.head_a)
    denied = client.post(f"/console/cogovern/teams/{co.team_a.pk}/", {"op": "reveal", "reason": "核对身份"})
    assert "王小明" not in denied.content.decode()
    shown = head.post(f"/console/cogovern/teams/{co.team_a.pk}/", {"op": "reveal", "reason": "核对志愿者身份"})
    assert "王小明" in shown.content.decode() and RESIDENT in shown.content.decode()
    assert PersonalDataAccess.objects.get().subject_type == "cogovern.team"


def test_activity_page_shows_the_qr_code(login, co):
    client = login(co.staff_a)
    page = client.get(f"/console/cogovern/activities/{co.activity_a.pk}/").content.decode()
    assert services.checkin_token(co.activity_a) in page
    svg = client.get(f"/console/cogovern/activities/{co.activity_a.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<?xml") and b"<path" in svg.content


def test_the_centre_checklist_scores_a_community(login, desk, co):
    items = list(ChecklistItem.objects.filter(level="community", is_active=True))  # the seeded 六有 and 4+X
    assert {i.group for i in items} == {"六有", "4+X"} and len(items) == 10
    client = login(co.staff_a)
    url = f"/console/cogovern/centres/{desk.district.community_a.pk}/"
    assert "有固定场所" in client.get(url).content.decode()
    client.post(url, {"item": items[0].pk, "is_met": "on", "evidence": "活动室 120 平方米"})
    client.post(url, {"item": items[1].pk, "is_met": "on", "evidence": "专职 3 人"})
    client.post(url, {"item": items[2].pk, "is_met": "on", "evidence": ""})  # refused: evidence required
    assert CentreCheck.objects.filter(is_met=True).count() == 2
    overview = client.get("/console/cogovern/centres/").content.decode()
    assert "2/10" in overview and "20.0%" in overview and "未达标" in overview
    town_item = ChecklistItem.objects.get(level="town", code="LY-01")
    response = client.post(url, {"item": town_item.pk, "is_met": "on", "evidence": "x场所"}, follow=True)
    assert "该标准项不适用于此层级的中心" in response.content.decode()


def test_evidence_files_are_uploaded_checked_and_private(login, desk, co, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = ChecklistItem.objects.get(level="community", code="LY-01")
    url = f"/console/cogovern/centres/{desk.district.community_a.pk}/"
    client = login(co.staff_a)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(png, format="PNG")
    upload = SimpleUploadedFile("活动室.png", png.getvalue(), content_type="image/png")
    client.post(url, {"item": item.pk, "op": "upload", "file": upload})
    evidence = CentreEvidence.objects.get()
    assert (evidence.content_type, evidence.original_name, evidence.size) == (
        "image/png",
        "活动室.png",
        len(png.getvalue()),
    )
    download = client.get(f"{url}evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == png.getvalue()
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = client.post(url, {"item": item.pk, "op": "upload", "file": fake}, follow=True)
    assert "不支持的文件类型" in response.content.decode() and CentreEvidence.objects.count() == 1
    outsider = login(co.staff_b)
    assert outsider.get(f"{url}evidence/{evidence.pk}/").status_code == 404
    upload = SimpleUploadedFile("y.png", png.getvalue(), content_type="image/png")
    outsider.post(url, {"item": item.pk, "op": "upload", "file": upload})
    assert CentreEvidence.objects.count() == 1


def test_staff_check_in_a_volunteer_once_and_choose_the_project_owner(login, desk, co, make_user):
    client = login(co.staff_a)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/console/cogovern/activities/{co.activity_a.pk}/").content.decode()
        assert "代签到" in page and "王*明" in page
        client.post(f"/console/cogovern/activities/{co.activity_a.pk}/checkin/", {"volunteer": co.volunteer_a.pk})
        client.post(f"/console/cogovern/activities/{co.activity_a.pk}/checkin/", {"volunteer": co.volunteer_a.pk})
    assert co.activity_a.checkins.count() == 1
    outsider = login(co.staff_b)
    response = outsider.post(
        f"/console/cogovern/activities/{co.activity_a.pk}/checkin/", {"volunteer": co.volunteer_a.pk}
    )
    assert response.status_code == 404

    # The session was last written during the travel to NOW (the sign-in check marks it): it expired then.
    client = login(co.staff_a)
    colleague = make_user(desk.district.community_a, "handler", username="com-a-2")
    demand = services.demand_post(
        phone=RESIDENT, community=desk.district.community_a, title="需要健身器材", content="广场健身器材坏了。", now=NOW
    )
    services.demand_match(actor=co.staff_a, demand=demand, resource=co.resource_a, now=NOW)
    assert "com-a-2" not in client.get(f"/console/cogovern/demands/{demand.pk}/").content.decode()  # names, not logins
    client.post(
        f"/console/cogovern/demands/{demand.pk}/project/",
        {"title": "健身器材更新", "budget": "0", "beneficiaries": "0", "owner": colleague.pk},
    )
    assert Project.objects.get().owner == colleague
