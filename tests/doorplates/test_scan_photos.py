"""The doorplate form takes photos like the portal's: stored with the appeal (public images, metadata stripped),
a non-image refused with a message and nothing registered, a repeated post adding no second set."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shanzhi.appeals.models import Appeal, Attachment

pytestmark = pytest.mark.django_db


def png(color: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return SimpleUploadedFile("door.png", buffer.getvalue(), content_type="image/png")


def post(client, plate, form_key: str, photos: list, **headers):
    return client.post(
        reverse("doorplates:scan", args=[plate.code]),
        {"form_key": form_key, "appeal_type": "help", "content": "单元门门禁坏了，关不上", "photos": photos},
        **headers,
    )


def test_the_form_offers_photos(estate, client):
    html = client.get(reverse("doorplates:scan", args=[estate.plate.code]) + f"?k={estate.plate.qr_token}")
    text = html.content.decode()
    assert 'enctype="multipart/form-data"' in text and 'name="photos"' in text and "data-photo-form" in text


def test_photos_are_stored_with_the_appeal(estate, client):
    response = post(client, estate.plate, "photo-key-1", [png(), png("blue")])
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    photos = Attachment.objects.filter(appeal=appeal)
    assert photos.count() == 2 and set(photos.values_list("content_type", flat=True)) == {"image/png"}
    assert all(photos.values_list("is_public", flat=True))
    post(client, estate.plate, "photo-key-1", [png()])  # the same form again
    assert Appeal.objects.count() == 1 and Attachment.objects.count() == 2


def test_the_portal_script_gets_json(estate, client):
    response = post(client, estate.plate, "photo-key-2", [png()], headers={"X-Portal-Ajax": "1"})
    assert response.status_code == 200 and response.json()["redirect"].endswith("/filed/")


def test_a_file_that_is_not_an_image_registers_nothing(estate, client):
    fake = SimpleUploadedFile("notes.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = post(client, estate.plate, "photo-key-3", [fake])
    assert response.status_code == 422
    assert "不是图片" in response.content.decode()
    assert Appeal.objects.count() == 0 and Attachment.objects.count() == 0
