"""Appeal files have no public address: the console hands them out to staff who may see the appeal, nobody else."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from shanzhi.appeals.attachments import attachment_add

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def photo(desk, intake):  # type: ignore[no-untyped-def]
    appeal = intake()  # grid A of town A, dispatched to 城管局
    return attachment_add(actor=desk.operator, appeal=appeal, upload=io.BytesIO(png_bytes()), name="路灯.png")


def file_url(photo) -> str:  # type: ignore[no-untyped-def]
    return reverse("console:attachment", args=[photo.appeal_id, photo.pk])


def test_staff_who_see_the_appeal_get_the_file_privately(desk, login, photo):
    for user in (desk.operator, desk.urban_handler, desk.town_a_handler):
        response = login(user).get(file_url(photo))
        assert response.status_code == 200, user.username
        assert b"".join(response.streaming_content) == png_bytes()
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["Content-Disposition"].startswith("inline")


def test_nobody_outside_the_appeals_scope_gets_it(desk, login, photo, client):
    assert login(desk.town_b_handler).get(file_url(photo)).status_code == 404
    other_appeal = reverse("console:attachment", args=[photo.appeal_id + 1000, photo.pk])
    assert login(desk.operator).get(other_appeal).status_code == 404  # the file must belong to the appeal asked
    anonymous = client.get(file_url(photo))
    assert anonymous.status_code == 302 and reverse("console:login") in anonymous["Location"]
    assert client.get("/media/" + photo.file.name).status_code == 404  # no public address, in development either


def test_the_detail_page_links_the_checked_address(desk, login, photo):
    html = login(desk.operator).get(reverse("console:appeal", args=[photo.appeal_id])).content.decode()
    assert f'src="{file_url(photo)}"' in html
    assert "/media/" not in html


def test_behind_nginx_the_file_goes_out_by_x_accel_redirect(desk, login, photo, settings):
    settings.SHANZHI = {**settings.SHANZHI, "MEDIA_ACCEL_PREFIX": "/_protected/"}
    response = login(desk.operator).get(file_url(photo))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/" + photo.file.name
    assert login(desk.town_b_handler).get(file_url(photo)).status_code == 404
