"""The console side of issue 22 items 2, 3 and 9: the assisting unit's work bench after the lead's feedback and after
a reopen, the lead told of its assisting units' feedback, the assigned unit's reveal of the caller's phone and
address, and photos with the feedback form."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.models import Appeal, Attachment
from shanzhi.core.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

BENCH = "/console/?view=unit"


@pytest.fixture
def desk_assisting() -> bool:
    return True  # the 路灯 line names the 住建局 as assisting unit


def share(appeal: Appeal, role: str) -> object:
    return appeal.assignments.get(round=appeal.round, role=role)


def _fed_back_by_lead(desk, appeal: Appeal) -> Appeal:
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    unit_work.assignment_feedback(
        actor=desk.urban_handler, assignment=share(appeal, "lead"), text="已修复", resolved=True
    )
    appeal.refresh_from_db()
    return appeal


def _bench(login, user) -> str:
    response = login(user).get(BENCH)
    assert response.status_code == 200
    return response.content.decode()


# --- item 2: the assisting unit's work bench -------------------------------------------------------------------


def test_after_the_leads_feedback_the_assisting_share_leaves_the_work_bench(desk, intake, login):
    appeal = intake()
    assert _bench(login, desk.housing_handler).count(f">{appeal.tracking_no}</a>") == 1
    _fed_back_by_lead(desk, appeal)
    html = _bench(login, desk.housing_handler)
    assert appeal.tracking_no not in html
    page = login(desk.dispatcher).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "随轮次结束" in page  # the assignments table says how the share ended


def test_after_a_reopen_the_work_bench_shows_the_appeal_once(desk, intake, login):
    appeal = _fed_back_by_lead(desk, intake())
    services.appeal_reply(actor=desk.operator, appeal=appeal, text="已修复")
    services.appeal_follow_up(actor=desk.operator, appeal=appeal, rating="satisfied", resolved=True)
    services.appeal_reopen(actor=desk.dispatcher, appeal=appeal, reason="路灯又不亮了")
    for user in (desk.housing_handler, desk.urban_handler):
        html = _bench(login, user)
        assert html.count(f">{appeal.tracking_no}</a>") == 1, user.username


def test_the_lead_is_told_of_the_assisting_units_feedback(desk, intake, login):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    assert f'data-assisting-fed-back="{appeal.tracking_no}"' not in _bench(login, desk.urban_handler)
    assisting = share(appeal, "assisting")
    unit_work.assignment_sign(actor=desk.housing_handler, assignment=assisting)
    client = login(desk.housing_handler)
    done = client.post(
        reverse("console:action", args=[appeal.pk, "feedback"]),
        {"text": "线路产权属供电公司，已函告", "resolved": "yes", "version": Appeal.objects.get(pk=appeal.pk).version},
    )
    assert done.status_code == 302
    html = _bench(login, desk.urban_handler)
    assert f'data-assisting-fed-back="{appeal.tracking_no}"' in html and "协办已反馈 1/1" in html
    page = login(desk.urban_handler).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "线路产权属供电公司，已函告" in page


# --- item 3: the assigned unit reaches the citizen -----------------------------------------------------------------


def test_the_assigned_unit_reveals_the_phone_and_address_with_a_reason(desk, intake, login):
    appeal = intake()
    client = login(desk.urban_handler)
    page = client.get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "138****1234" in page and "13800001234" not in page
    assert reverse("console:reveal", args=[appeal.pk]) in page  # the 显示 form is offered
    shown = client.post(
        reverse("console:reveal", args=[appeal.pk]), {"reason": "联系诉求人"}, headers={"HX-Request": "true"}
    )
    html = shown.content.decode()
    assert shown.status_code == 200 and "13800001234" in html and "凤凰岭街道和平路12号" in html
    assert 'id="contact-revealed"' in html
    assert "张三丰" not in html  # the name is not what a unit needs to call: it stays masked
    access = PersonalDataAccess.objects.get()
    assert access.user == desk.urban_handler and access.fields == "citizen_phone,address"


def test_a_unit_that_sees_the_appeal_without_an_assignment_gets_no_reveal(desk, intake, login):
    appeal = intake()  # grid A lies in town A: the town sees the appeal, but the 城管局 handles it
    client = login(desk.town_a_handler)
    page = client.get(reverse("console:appeal", args=[appeal.pk]))
    assert page.status_code == 200
    assert reverse("console:reveal", args=[appeal.pk]) not in page.content.decode()
    refused = client.post(reverse("console:reveal", args=[appeal.pk]), {"reason": "想联系一下"})
    assert refused.status_code == 403
    assert "13800001234" not in refused.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_unit_outside_the_scope_gets_not_found(desk, intake, login):
    appeal = intake()
    assert (
        login(desk.town_b_handler).post(reverse("console:reveal", args=[appeal.pk]), {"reason": "x"}).status_code == 404
    )
    assert not PersonalDataAccess.objects.exists()


# --- item 9: photos with the feedback form ---------------------------------------------------------------------


def test_the_feedback_form_takes_photos_and_the_page_shows_them(desk, intake, login, tmp_path: Path):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    client = login(desk.urban_handler)
    page = client.get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    photo = tmp_path / "after.png"
    Image.new("RGB", (32, 32), (10, 200, 10)).save(photo, format="PNG")
    with photo.open("rb") as upload:
        done = client.post(
            reverse("console:action", args=[appeal.pk, "feedback"]),
            {
                "text": "已更换灯泡",
                "resolved": "yes",
                "photos": [upload],
                "version": Appeal.objects.get(pk=appeal.pk).version,
            },
        )
    assert done.status_code == 302
    stored = Attachment.objects.get()
    assert stored.assignment_id == share(appeal, "lead").pk
    html = login(desk.dispatcher).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert f'data-feedback-photos="{stored.assignment_id}"' in html
    assert reverse("console:attachment", args=[appeal.pk, stored.pk]) in html


def test_a_file_that_is_not_a_picture_is_refused_on_the_form(desk, intake, login, tmp_path: Path):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    with fake.open("rb") as upload:
        refused = login(desk.urban_handler).post(
            reverse("console:action", args=[appeal.pk, "feedback"]),
            {
                "text": "已修复",
                "resolved": "yes",
                "photos": [upload],
                "version": Appeal.objects.get(pk=appeal.pk).version,
            },
        )
    assert refused.status_code == 422 and "处置照片只能是图片" in refused.content.decode()
    assert share(appeal, "lead").state == "signed" and not Attachment.objects.exists()
