"""Uploads: the type is read from the bytes, and a photo keeps no metadata — a phone's JPEG carries the GPS position
where it was taken (often the citizen's home), the device and the time; the centre stores the picture only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shanzhi.appeals.attachments import attachment_add
from shanzhi.core.errors import ValidationFailed

from .conftest import scene_create

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE, MODEL, DATETIME = 0x010F, 0x0110, 0x0132


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (90, 120, 200))
    exif = Image.Exif()
    exif[MAKE] = "Phone Maker"
    exif[MODEL] = "Model X"
    exif[DATETIME] = "2026:12:01 08:30:00"
    exif[0x0112] = 6  # orientation: rotate 90° to show
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (39.0, 40.0, 48.0)
    gps[3], gps[4] = "E", (106.0, 48.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "欧阳克锋")
    info.add_text("GPS", "39.68,106.80")
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def stored(attachment) -> Image.Image:  # type: ignore[no-untyped-def]
    attachment.file.open("rb")
    try:
        data = attachment.file.read()
    finally:
        attachment.file.close()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_photo_is_stored_without_its_gps_position_device_or_comment(desk):
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    scene = scene_create(desk)
    photo = attachment_add(actor=desk.operator, appeal=scene.appeal, upload=io.BytesIO(data), name="家门口.jpg")
    image = stored(photo)
    assert image.format == "JPEG"
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD) and MAKE not in exif and MODEL not in exif and DATETIME not in exif
    assert "comment" not in image.info and "exif" not in image.info
    assert image.size == (24, 32)  # turned upright as the phone meant it, then the orientation tag dropped
    assert photo.size == photo.file.size and photo.content_type == "image/jpeg"


def test_png_text_chunks_are_dropped(desk):
    scene = scene_create(desk)
    photo = attachment_add(actor=desk.operator, appeal=scene.appeal, upload=io.BytesIO(png_with_text()))
    image = stored(photo)
    assert image.format == "PNG"
    assert "Author" not in image.info and "GPS" not in image.info
    assert image.getpixel((3, 3)) == (1, 2, 3)


def test_a_file_that_only_claims_to_be_an_image_is_refused(desk):
    scene = scene_create(desk)
    fake = b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 20  # a JPEG signature on a script
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(actor=desk.operator, appeal=scene.appeal, upload=io.BytesIO(fake), name="x.jpg")
    assert refused.value.code == "image_invalid"
    html = b"<html><body>hello</body></html>"
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(actor=desk.operator, appeal=scene.appeal, upload=io.BytesIO(html), name="x.png")
    assert refused.value.code == "file_type_not_allowed"
