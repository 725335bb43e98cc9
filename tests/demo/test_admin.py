"""The admin lists appeals and staff with personal data masked."""

from __future__ import annotations

import pytest
from django.test import Client

from shanzhi.appeals.services import appeal_intake


@pytest.mark.django_db
def test_appeal_admin_shows_only_masked_personal_data(district, make_user):
    operator = make_user(district.centre, "operator", username="op")
    admin_user = make_user(district.centre, "admin", username="boss")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    appeal = appeal_intake(
        actor=operator,
        channel="hotline",
        content="楼道灯坏了",
        structured=False,
        citizen_name="张三丰",
        citizen_phone="13812345678",
        address="海勃湾区新华大街12号",
    ).appeal
    client = Client()
    client.force_login(admin_user)
    for url in ("/admin/appeals/appeal/", f"/admin/appeals/appeal/{appeal.pk}/change/"):
        body = client.get(url).content.decode()
        assert "138****5678" in body and "张*丰" in body
        assert "13812345678" not in body and "张三丰" not in body and "新华大街12号" not in body
    assert client.get("/admin/orgs/user/").status_code == 200
    assert client.get("/admin/routing/dispatchrule/").status_code == 200
