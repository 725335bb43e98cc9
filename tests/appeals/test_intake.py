"""Intake: tracking numbers, idempotency, validation with coded Chinese errors that change nothing."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from shanzhi.appeals.attachments import attachment_add
from shanzhi.appeals.intake_store import next_tracking_no
from shanzhi.appeals.models import Appeal, AppealEvent, Attachment
from shanzhi.appeals.services import appeal_intake
from shanzhi.core import clock, pii
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.orgs.models import Boundary

pytestmark = pytest.mark.django_db

# Roughly the urban part of 海勃湾区; enough for inside/outside checks.
DISTRICT_BOX = {
    "type": "Polygon",
    "coordinates": [[[106.75, 39.60], [106.90, 39.60], [106.90, 39.75], [106.75, 39.75], [106.75, 39.60]]],
}
GRID_A_BOX = {
    "type": "Polygon",
    "coordinates": [[[106.80, 39.66], [106.82, 39.66], [106.82, 39.68], [106.80, 39.68], [106.80, 39.66]]],
}


def test_tracking_numbers_are_daily_sequences(desk):
    at = clock.now()
    first, second = next_tracking_no(at), next_tracking_no(at)
    assert re.fullmatch(r"HB\d{8}-\d{6}", first)
    assert int(second[-6:]) == int(first[-6:]) + 1
    assert first[2:10] == clock.local_date(at).strftime("%Y%m%d")


def test_idempotent_intake_creates_one_appeal(desk, intake):
    first = appeal_intake(
        actor=desk.operator, channel="hotline", content="噪音扰民", category=desk.road_light, idempotency_key="call-42"
    )
    again = appeal_intake(
        actor=desk.operator, channel="hotline", content="噪音扰民", category=desk.road_light, idempotency_key="call-42"
    )
    assert first.created and not again.created
    assert again.appeal.pk == first.appeal.pk
    assert Appeal.objects.count() == 1


def test_same_key_from_another_client_is_another_appeal(desk, make_user):
    other = make_user(desk.district.centre, "operator")
    a = appeal_intake(
        actor=desk.operator, channel="hotline", content="x", category=desk.road_light, idempotency_key="k1"
    )
    b = appeal_intake(actor=other, channel="hotline", content="x", category=desk.road_light, idempotency_key="k1")
    assert a.appeal.pk != b.appeal.pk


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"category": "不存在的分类"}, "unknown_category"),
        ({"category": 999999}, "unknown_category"),
        ({"content": "   "}, "content_required"),
        ({"content": "长" * 20001}, "content_too_long"),
        ({"citizen_phone": "138000"}, "invalid_phone"),
        ({"citizen_id_number": "150302199001011234"}, "invalid_id_number"),
        ({"channel": "pigeon"}, "invalid_channel"),
        ({"urgency": "whenever"}, "invalid_urgency"),
        ({"longitude": 106.8}, "invalid_coordinates"),
        ({"longitude": 39.65, "latitude": 106.8}, "invalid_coordinates"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_changes_nothing(desk, intake, overrides, code):
    with pytest.raises(ValidationFailed) as err:
        intake(**overrides)
    assert err.value.code == code
    assert re.search(r"[\u4e00-\u9fff]", str(err.value.message)), "the message is Chinese"
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_a_place_outside_the_district_is_refused(desk, intake):
    Boundary.objects.create(unit=desk.district.district, geojson=DISTRICT_BOX)
    with pytest.raises(ValidationFailed) as err:
        intake(longitude=106.60, latitude=39.50)  # 乌达区, across the river
    assert err.value.code == "outside_district"
    assert Appeal.objects.count() == 0


def test_coordinates_find_the_grid(desk, intake):
    Boundary.objects.create(unit=desk.district.district, geojson=DISTRICT_BOX)
    Boundary.objects.create(unit=desk.district.grid_b, geojson=GRID_A_BOX)
    appeal = intake(category=desk.property_service, area=None, longitude=106.81, latitude=39.67)
    assert appeal.area == desk.district.grid_b
    assert appeal.lead_unit == desk.district.town_b
    assert "网格" in appeal.events.get(kind="received").payload["location"]


def test_id_numbers_are_encrypted_at_rest(desk, intake):
    appeal = intake(citizen_id_number="11010519491231002X")
    raw = Appeal.objects.filter(pk=appeal.pk).values_list("citizen_id_enc", flat=True).get()
    assert "11010519491231002X" not in raw
    assert appeal.citizen_id_number == "11010519491231002X"
    assert Appeal.objects.filter(citizen_id_index=pii.blind_index("11010519491231002x")).count() == 1


def test_raw_message_waits_for_an_operator(desk, intake):
    appeal = intake(structured=False, category=None, content="短信：小区停水了")
    assert appeal.state == "received" and appeal.round == 0


def test_a_handler_cannot_register_appeals(desk, intake):
    with pytest.raises(PermissionDenied):
        intake(actor=desk.urban_handler)
    assert Appeal.objects.count() == 0


# --- attachments ---------------------------------------------------------------------------------------------


def _png(size=(40, 30)) -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = "photo.png"
    return buf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_real_photo_is_stored(desk, intake, media):
    appeal = intake()
    att = attachment_add(actor=desk.operator, appeal=appeal, upload=_png())
    assert att.content_type == "image/png" and att.size > 0
    assert (media / att.file.name).exists()
    assert appeal.events.filter(kind="attached").count() == 1


def test_a_fake_image_is_refused(desk, intake, media):
    appeal = intake()
    fake = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 20)
    with pytest.raises(ValidationFailed) as err:
        attachment_add(actor=desk.operator, appeal=appeal, upload=fake, name="x.png")
    assert err.value.code == "image_invalid"
    assert Attachment.objects.count() == 0 and not list(media.rglob("*.png"))


def test_a_script_named_jpg_is_refused(desk, intake, media):
    appeal = intake()
    with pytest.raises(ValidationFailed) as err:
        attachment_add(actor=desk.operator, appeal=appeal, upload=io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), name="a.jpg")
    assert err.value.code == "file_type_not_allowed"


def test_an_oversized_file_is_refused(desk, intake, media, settings):
    settings.SHANZHI = {**settings.SHANZHI, "ATTACHMENT_MAX_BYTES": 1024}
    appeal = intake()
    with pytest.raises(ValidationFailed) as err:
        attachment_add(actor=desk.operator, appeal=appeal, upload=_png((400, 400)))
    assert err.value.code == "file_too_large"
    assert Attachment.objects.count() == 0


def test_a_pdf_document_is_accepted(desk, intake, media):
    appeal = intake()
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    att = attachment_add(actor=desk.operator, appeal=appeal, upload=pdf, name="证明.pdf")
    assert att.content_type == "application/pdf" and att.original_name == "证明.pdf"


def test_an_address_alone_finds_the_community(desk, intake):
    appeal = intake(category=desk.property_service, area=None, address="凤凰岭街道和平社区3号楼2单元501")
    assert appeal.area == desk.district.community_a
    assert appeal.lead_unit == desk.district.town_a
    assert appeal.events.get(kind="received").payload["location"].startswith("地址匹配")
