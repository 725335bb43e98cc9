"""Portal pages through the test client: sign-in, submit (plain form post, without JavaScript), scope, tracking,
actions; every visible input has a label."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.notifications.models import OutboxMessage
from shanzhi.portal.citizen import PHONE_KEY

from .conftest import PHONE_A, PHONE_B, png_bytes

pytestmark = pytest.mark.django_db


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1) if match.groups() else match.group(0)


def signed_in(client, phone: str = PHONE_A):
    session = client.session
    session[PHONE_KEY] = phone
    session.save()
    return client


class _Inputs(HTMLParser):
    """Collects form controls and the ids that labels point to."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self._in_label = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({**a, "_wrapped": self._in_label > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1


def assert_all_labelled(html: str) -> None:
    parser = _Inputs()
    parser.feed(html)
    for control in parser.controls:
        named = control.get("aria-label") or control.get("id") in parser.label_for or control["_wrapped"]
        assert named, f"unlabelled control: {control}"


def test_sign_in_through_the_pages(client):
    page = client.get(reverse("portal:signin"))
    assert page.status_code == 200
    assert_all_labelled(page.content.decode())
    response = client.post(reverse("portal:signin"), {"phone": PHONE_A})
    assert response.status_code == 302 and response.url == reverse("portal:verify")
    body = OutboxMessage.objects.get(event="otp").body
    code = found(r"\d{6}", body)
    verify = client.get(reverse("portal:verify"))
    assert "138****1111" in verify.content.decode() and PHONE_A not in verify.content.decode()
    wrong = client.post(reverse("portal:verify"), {"phone": PHONE_A, "code": "000000" if code != "000000" else "1"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    ok = client.post(reverse("portal:verify"), {"phone": PHONE_A, "code": code})
    assert ok.status_code == 302 and ok.url == reverse("portal:appeals")
    assert client.session[PHONE_KEY] == PHONE_A
    assert "138****1111" in client.get(reverse("portal:me")).content.decode()
    client.post(reverse("portal:signout"))
    assert PHONE_KEY not in client.session


def test_second_code_request_within_a_minute_is_refused(client):
    client.post(reverse("portal:signin"), {"phone": PHONE_A})
    again = client.post(reverse("portal:signin"), {"phone": PHONE_A})
    assert again.status_code == 429 and "后再重新获取" in again.content.decode()


def test_every_tab_renders_and_is_labelled(client, road_light):
    for name in ("home", "submit", "appeals", "me", "track", "signin"):
        response = client.get(reverse(f"portal:{name}"))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert_all_labelled(html)
        assert 'aria-label="主导航"' in html and "/m/kb/" in html


def test_submit_without_javascript(client, district, road_light):
    signed_in(client)
    form = client.get(reverse("portal:submit"))
    key = found(r'name="form_key" value="([^"]+)"', form.content.decode())
    assert "路灯损坏" in form.content.decode()
    data = {
        "form_key": key,
        "appeal_type": "help",
        "category": str(road_light.pk),
        "content": "路灯坏了",
        "address": "和平路12号",
        "area": str(district.community_a.pk),
        "longitude": "106.82",
        "latitude": "39.67",
        "photos": [SimpleUploadedFile("a.png", png_bytes(), "image/png")],
    }
    response = client.post(reverse("portal:submit"), data)
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response.url == reverse("portal:submitted", args=[appeal.tracking_no])
    done = client.get(response.url).content.decode()
    assert f"已受理，编号 {appeal.tracking_no}，预计 5 个工作日内答复" in done
    # The same form again (a double click): no second appeal.
    data["photos"] = [SimpleUploadedFile("a.png", png_bytes(), "image/png")]
    again = client.post(reverse("portal:submit"), data, headers={"X-Portal-Ajax": "1"})
    assert again.json() == {"redirect": reverse("portal:submitted", args=[appeal.tracking_no])}
    assert Appeal.objects.count() == 1 and appeal.attachments.count() == 1


def test_a_non_image_upload_is_refused_with_a_message(client, road_light):
    signed_in(client)
    data = {
        "form_key": "k" * 32,
        "appeal_type": "help",
        "content": "看附件",
        "photos": [SimpleUploadedFile("notes.png", b"this is plain text, not a picture" * 20, "image/png")],
    }
    response = client.post(reverse("portal:submit"), data)
    assert response.status_code == 422
    assert "“notes.png”不是图片，只能上传照片" in response.content.decode()
    assert not Appeal.objects.exists()


def test_anonymous_submit_and_tracking_without_javascript(client, road_light):
    key = "a" * 32
    response = client.post(
        reverse("portal:submit"), {"form_key": key, "appeal_type": "suggestion", "content": "建议增设路灯"}
    )
    appeal = Appeal.objects.get()
    page = client.get(response.url).content.decode()
    code = found(r'id="ticket-code">([A-Z0-9]{8})<', page)
    # A new visitor (another phone, no session) tracks it with number + code.
    other = client.__class__()
    assert other.get(reverse("portal:appeal", args=[appeal.tracking_no])).status_code == 404
    bad = other.post(reverse("portal:track"), {"tracking_no": appeal.tracking_no, "code": "ZZZZZZZZ"})
    assert bad.status_code == 422 and "编号或查询码不正确" in bad.content.decode()
    ok = other.post(reverse("portal:track"), {"tracking_no": appeal.tracking_no, "code": code})
    assert ok.status_code == 302
    detail = other.get(ok.url).content.decode()
    assert appeal.tracking_no in detail and "办理记录" in detail and "<script" in detail  # readable without JS too


def test_another_citizens_appeal_is_404(client, submit, citizen_a, photo):
    from .conftest import Citizen

    theirs = submit(Citizen(phone=PHONE_B), photos=[photo])
    signed_in(client, PHONE_A)
    for url in (
        reverse("portal:appeal", args=[theirs.tracking_no]),
        reverse("portal:submitted", args=[theirs.tracking_no]),
        reverse("portal:photo", args=[theirs.tracking_no, theirs.attachments.get().pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("portal:rate", args=[theirs.tracking_no]), {"rating": "satisfied"}).status_code == 404
    mine = submit(citizen_a)
    listing = client.get(reverse("portal:appeals"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert mine.tracking_no in html  # the list it meant: A's own appeal is there
    assert theirs.tracking_no not in html


def test_reply_rate_and_supply_through_the_pages(client, submit, citizen_a, handle, ask):
    signed_in(client)
    appeal = handle(submit(citizen_a), reply="路灯已修复，感谢反映。")
    page = client.get(reverse("portal:appeal", args=[appeal.tracking_no])).content.decode()
    assert "路灯已修复，感谢反映。" in page and "评价办理结果" in page
    assert_all_labelled(page)
    missing = client.post(reverse("portal:rate", args=[appeal.tracking_no]), {"resolved": "yes"})
    assert missing.status_code == 422
    done = client.post(reverse("portal:rate", args=[appeal.tracking_no]), {"rating": "satisfied", "resolved": "yes"})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED
    assert "感谢您的评价，诉求已办结。" in client.get(done.url).content.decode()

    raw = submit(citizen_a, category=None)
    ask(raw, question="请提供路灯杆编号")
    page = client.get(reverse("portal:appeal", args=[raw.tracking_no])).content.decode()
    assert "请提供路灯杆编号" in page
    supplied = client.post(reverse("portal:supply", args=[raw.tracking_no]), {"text": "杆号 HP-0231"})
    assert supplied.status_code == 302
    raw.refresh_from_db()
    assert raw.state == AppealState.RECEIVED


def test_the_home_page_leads_to_co_governance_and_mediation(client):
    html = client.get(reverse("portal:home")).content.decode()
    for name in ("cogovern_portal:index", "mediation_portal:index"):
        link = reverse(name)
        assert f'href="{link}"' in html
        assert client.get(link).status_code in (200, 302), name  # the page (or the sign-in it asks for) is there
