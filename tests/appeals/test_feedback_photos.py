"""Photos with the unit's feedback (处置前后照片): checked like every attachment, stored without their metadata, tied
to the assignment; a refused photo leaves nothing behind (issue 22, item 9)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shanzhi.appeals import unit_work
from shanzhi.appeals.feedback_photos import MAX_PHOTOS_PER_FEEDBACK
from shanzhi.appeals.models import AppealEvent, Attachment, EventKind
from shanzhi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def write_phone_photo(path: Path, colour: tuple[int, int, int] = (40, 120, 200)) -> Path:
    """A real JPEG as a phone writes it: EXIF with the camera and the GPS position where it was taken."""
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[GPS_IFD] = {1: "N", 2: (39.0, 40.0, 48.0), 3: "E", 4: (106.0, 48.0, 0.0)}
    image.save(path, format="JPEG", exif=exif.tobytes())
    with Image.open(path) as check:
        assert check.getexif().get(0x010F) == "PhoneMaker"  # the fixture really carries metadata
    return path


def _signed_lead(desk, intake):
    appeal = intake()
    lead = appeal.assignments.get(role="lead")
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead)
    return appeal, lead


def test_feedback_photos_are_stored_without_metadata_and_tied_to_the_assignment(desk, intake, tmp_path):
    appeal, lead = _signed_lead(desk, intake)
    before = write_phone_photo(tmp_path / "处置前.jpg")
    after = write_phone_photo(tmp_path / "处置后.jpg", (250, 250, 200))
    with before.open("rb") as one, after.open("rb") as two:
        unit_work.assignment_feedback(
            actor=desk.urban_handler, assignment=lead, text="已更换灯泡", resolved=True, photos=[one, two]
        )
    photos = list(Attachment.objects.filter(appeal=appeal).order_by("id"))
    assert [p.assignment_id for p in photos] == [lead.pk, lead.pk]
    assert [p.original_name for p in photos] == ["处置前.jpg", "处置后.jpg"]
    assert all(
        p.content_type == "image/jpeg" and not p.is_public and p.uploaded_by == desk.urban_handler for p in photos
    )
    with photos[0].file.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (64, 48)
        assert not image.getexif()  # neither the phone nor the place it was taken
    feedback = AppealEvent.objects.get(appeal=appeal, kind=EventKind.FEEDBACK)
    assert feedback.payload["photos"] == 2
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.ATTACHED, assignment=lead).count() == 2


def test_an_assisting_units_photos_are_its_own(desk, intake, tmp_path):
    appeal, _lead = _signed_lead(desk, intake)
    assisting = appeal.assignments.get(role="assisting")
    unit_work.assignment_sign(actor=desk.housing_handler, assignment=assisting)
    with write_phone_photo(tmp_path / "线路.jpg").open("rb") as photo:
        unit_work.assignment_feedback(
            actor=desk.housing_handler, assignment=assisting, text="线路正常", resolved=True, photos=[photo]
        )
    assert list(Attachment.objects.values_list("assignment_id", flat=True)) == [assisting.pk]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "photo_not_image"),
        (b"\xff\xd8\xff\xe0 not really a jpeg" + b"\0" * 64, "image_invalid"),
        (b"just text, renamed to .jpg", "file_type_not_allowed"),
    ],
)
def test_a_refused_photo_refuses_the_feedback_and_writes_nothing(desk, intake, tmp_path, content, code):
    appeal, lead = _signed_lead(desk, intake)
    good = write_phone_photo(tmp_path / "ok.jpg")
    bad = io.BytesIO(content)
    bad.name = "fake.jpg"
    events_before = AppealEvent.objects.count()
    with good.open("rb") as first, pytest.raises(ValidationFailed) as err:
        unit_work.assignment_feedback(
            actor=desk.urban_handler, assignment=lead, text="已修复", resolved=True, photos=[first, bad]
        )
    assert err.value.code == code
    lead.refresh_from_db()
    appeal.refresh_from_db()
    assert lead.state == "signed" and appeal.state == "in_progress"
    assert not Attachment.objects.exists() and AppealEvent.objects.count() == events_before


def test_too_many_photos_are_refused(desk, intake, tmp_path):
    _appeal, lead = _signed_lead(desk, intake)
    path = write_phone_photo(tmp_path / "p.jpg")
    uploads = [io.BytesIO(path.read_bytes()) for _ in range(MAX_PHOTOS_PER_FEEDBACK + 1)]
    with pytest.raises(ValidationFailed) as err:
        unit_work.assignment_feedback(
            actor=desk.urban_handler, assignment=lead, text="已修复", resolved=True, photos=uploads
        )
    assert err.value.code == "too_many_photos"


def test_an_oversized_photo_is_refused(desk, intake, tmp_path, settings):
    settings.SHANZHI = {**settings.SHANZHI, "ATTACHMENT_MAX_BYTES": 200}
    _appeal, lead = _signed_lead(desk, intake)
    with write_phone_photo(tmp_path / "big.jpg").open("rb") as photo, pytest.raises(ValidationFailed) as err:
        unit_work.assignment_feedback(
            actor=desk.urban_handler, assignment=lead, text="已修复", resolved=True, photos=[photo]
        )
    assert err.value.code == "file_too_large"
