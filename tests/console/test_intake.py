"""The hotline intake form: structured and raw intake, refusals shown on the form, caller history, attachments."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shanzhi.appeals.models import Appeal, AppealState, Attachment

pytestmark = pytest.mark.django_db


def form_data(desk, **overrides) -> dict:
    data = {
        "idempotency_key": "k-1",
        "channel": "hotline",
        "citizen_phone": "13800001234",
        "citizen_name": "李四",
        "wants_reply": "on",
        "appeal_type": "help",
        "category": str(desk.road_light.pk),
        "urgency": "",
        "title": "",
        "content": "和平路 12 号门口路灯不亮",
        "address": "和平路12号",
        "area": str(desk.district.grid_a.pk),
        "longitude": "",
        "latitude": "",
    }
    data.update(overrides)
    return data


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_form_renders_with_grouped_categories_and_areas(desk, login):
    html = login(desk.operator).get(reverse("console:intake")).content.decode()
    assert '<optgroup label="城乡建设">' in html
    assert "市政设施/路灯损坏" in html
    assert '<optgroup label="凤凰岭街道">' in html and "和平社区第1网格" in html
    assert "data-enter-nav" in html and "Ctrl+回车提交" in html
    assert 'hx-post="/console/intake/history/"' in html
    assert 'name="idempotency_key"' in html


def test_structured_intake_is_dispatched_by_the_catalogue(desk, login):
    response = login(desk.operator).post(reverse("console:intake"), form_data(desk), follow=True)
    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit == desk.district.dept_urban
    assert appeal.area == desk.district.grid_a
    html = response.content.decode()
    assert f"已受理，编号 {appeal.tracking_no}，已派遣至 区城市管理综合执法局" in html
    assert response.redirect_chain[-1][0] == reverse("console:appeal", args=[appeal.pk])


def test_raw_message_only_waits_for_an_operator(desk, login):
    data = form_data(desk, raw_only="on", category="")
    response = login(desk.operator).post(reverse("console:intake"), data, follow=True)
    appeal = Appeal.objects.get()
    assert appeal.state == AppealState.RECEIVED
    assert "待受理" in response.content.decode()


def test_refusal_from_the_service_is_shown_on_the_form(desk, login):
    response = login(desk.operator).post(reverse("console:intake"), form_data(desk, citizen_phone="1380000"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "联系电话格式不正确" in html
    assert "和平路 12 号门口路灯不亮" in html  # what was typed is kept
    assert not Appeal.objects.exists()


def test_structured_intake_needs_a_category(desk, login):
    response = login(desk.operator).post(reverse("console:intake"), form_data(desk, category=""))
    assert response.status_code == 422
    assert "受理诉求须选择分类" in response.content.decode()


def test_double_submit_creates_one_appeal(desk, login):
    client = login(desk.operator)
    client.post(reverse("console:intake"), form_data(desk))
    response = client.post(reverse("console:intake"), form_data(desk), follow=True)
    assert Appeal.objects.count() == 1
    assert "该诉求已登记过" in response.content.decode()


def test_attachments_are_saved_through_the_attachment_service(desk, login):
    data = form_data(desk)
    data["attachments"] = [SimpleUploadedFile("灯.png", png_bytes(), content_type="image/png")]
    login(desk.operator).post(reverse("console:intake"), data)
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.appeal == Appeal.objects.get()


def test_refused_attachment_is_reported_and_the_appeal_kept(desk, login):
    data = form_data(desk)
    data["attachments"] = [SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png")]
    response = login(desk.operator).post(reverse("console:intake"), data, follow=True)
    assert Appeal.objects.count() == 1
    assert not Attachment.objects.exists()
    assert "附件“virus.png”未保存" in response.content.decode()


def test_caller_history_partial(desk, intake, login):
    earlier = intake(content="上次反映的噪音问题")
    client = login(desk.operator)
    html = client.post(reverse("console:caller_history"), {"citizen_phone": "138 0000 1234"}).content.decode()
    assert earlier.tracking_no in html and "138****1234" in html
    assert "<html" not in html  # a fragment for htmx
    short = client.post(reverse("console:caller_history"), {"citizen_phone": "138"}).content.decode()
    assert "号码尚不完整" in short


def test_handlers_cannot_use_the_intake_form(desk, login):
    response = login(desk.urban_handler).post(reverse("console:intake"), form_data(desk))
    assert response.status_code == 403
    assert not Appeal.objects.exists()
