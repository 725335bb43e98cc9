"""Personal data: masked by default; a full view needs the permission and a reason, and is logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.core.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


def test_masked_without_permission(desk, intake, login):
    appeal = intake()
    html = login(desk.urban_handler).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "138****1234" in html and "13800001234" not in html
    assert "张*丰" in html and "张三丰" not in html
    assert "和平路12号" not in html
    # the 城管局 handles it: its handler may reveal the phone and address (tests/console/test_assisting_units.py);
    # the town that only sees the appeal has no 显示 button without the permission
    town = login(desk.town_a_handler).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "138****1234" in town and f"/console/appeals/{appeal.pk}/reveal/" not in town
    assert not PersonalDataAccess.objects.exists()


def test_holder_of_the_permission_still_sees_masked_until_asking(desk, intake, login, make_user):
    appeal = intake()
    supervisor = make_user(desk.district.centre, "dispatcher", username="sup", personal_data=True)
    html = login(supervisor).get(reverse("console:appeal", args=[appeal.pk])).content.decode()
    assert "13800001234" not in html
    assert f'hx-post="/console/appeals/{appeal.pk}/reveal/"' in html


def test_reveal_without_permission_is_refused_and_not_logged(desk, intake, login):
    appeal = intake()
    client = login(desk.operator)
    response = client.post(reverse("console:reveal", args=[appeal.pk]), {"reason": "回访核对"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "您没有查看完整个人信息的权限" in html
    assert "13800001234" not in html
    assert not PersonalDataAccess.objects.exists()


def test_reveal_needs_a_reason(desk, intake, login, make_user):
    appeal = intake()
    supervisor = make_user(desk.district.centre, "dispatcher", username="sup", personal_data=True)
    response = login(supervisor).post(reverse("console:reveal", args=[appeal.pk]), {"reason": " "})
    assert response.status_code == 422
    assert "13800001234" not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_reveal_with_permission_shows_and_logs(desk, intake, login, make_user):
    appeal = intake(citizen_id_number="11010519491231002X")
    supervisor = make_user(desk.district.centre, "dispatcher", username="sup", personal_data=True)
    response = login(supervisor).post(
        reverse("console:reveal", args=[appeal.pk]), {"reason": "回访需核对号码"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "13800001234" in html and "张三丰" in html and "凤凰岭街道和平路12号" in html
    assert "11010519491231002X" in html
    assert "<html" not in html  # the htmx fragment
    log = PersonalDataAccess.objects.get()
    assert log.user == supervisor
    assert log.subject_type == "appeal" and log.subject_id == appeal.tracking_no
    assert log.reason == "回访需核对号码"
    assert "citizen_phone" in log.fields
    assert log.ip_address == "127.0.0.1"


def test_plain_post_reveal_renders_the_page(desk, intake, login, make_user):
    appeal = intake()
    supervisor = make_user(desk.district.centre, "dispatcher", username="sup", personal_data=True)
    response = login(supervisor).post(reverse("console:reveal", args=[appeal.pk]), {"reason": "核实地址"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "13800001234" in html and 'id="timeline"' in html
    assert PersonalDataAccess.objects.count() == 1


def test_behind_nginx_the_log_keeps_the_viewers_address_not_the_proxys(desk, intake, login, make_user, settings):
    """With ``SHANZHI_TRUSTED_PROXIES=1`` the address nginx appended is logged; what the client wrote before it
    in X-Forwarded-For (anything it likes) is not."""
    settings.SHANZHI = {**settings.SHANZHI, "TRUSTED_PROXIES": 1}
    appeal = intake()
    supervisor = make_user(desk.district.centre, "dispatcher", username="sup", personal_data=True)
    login(supervisor).post(
        reverse("console:reveal", args=[appeal.pk]),
        {"reason": "回访需核对号码"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7",
    )
    assert PersonalDataAccess.objects.get().ip_address == "203.0.113.7"
