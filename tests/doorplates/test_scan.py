"""Scanning a doorplate: citizens file an appeal with the address filled in; staff whose territory covers the
address see the household card (logged); staff out of scope get the citizen form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.core.models import PersonalDataAccess
from shanzhi.places.models import Doorplate

pytestmark = pytest.mark.django_db


def scan_url(plate) -> str:
    return reverse("doorplates:scan", args=[plate.code]) + f"?k={plate.qr_token}"


def test_citizen_sees_the_form_with_the_address(estate, client):
    response = client.get(scan_url(estate.plate))
    html = response.content.decode()
    assert response.status_code == 200
    assert "海勃湾区凤凰岭街道和平社区和平小区1号楼2单元" in html
    assert 'name="content"' in html and "household-card" not in html
    assert "张建国" not in html and "139****5678" not in html
    assert Doorplate.objects.get(pk=estate.plate.pk).scans == 1


def test_code_without_slash_or_in_lower_case_still_opens(estate, client):
    assert client.get(f"/m/d/{estate.plate.code}").status_code in (301, 302)
    assert client.get(f"/m/d/{estate.plate.code.lower()}/").status_code == 200


def test_citizen_files_an_appeal_with_the_plate_address(estate, client, district):
    form_key = "abc123"
    response = client.post(
        reverse("doorplates:scan", args=[estate.plate.code]),
        {
            "form_key": form_key,
            "appeal_type": "help",
            "content": "单元门门禁坏了，关不上",
            "detail": "一楼单元门",
            "citizen_name": "刘女士",
            "citizen_phone": "13600001111",
        },
        follow=True,
    )
    appeal = Appeal.objects.get()
    assert appeal.channel == "doorplate" and appeal.state == AppealState.RECEIVED
    assert appeal.address == "海勃湾区凤凰岭街道和平社区和平小区1号楼2单元（一楼单元门）"
    assert appeal.area == district.grid_a and appeal.area_path == district.grid_a.path
    assert appeal.citizen_phone == "13600001111" and appeal.wants_reply
    assert appeal.external_ref == f"doorplate:{estate.plate.code}"
    html = response.content.decode()
    assert appeal.tracking_no in html and "已收到您的诉求" in html
    # A double submit of the same form registers nothing new.
    client.post(
        reverse("doorplates:scan", args=[estate.plate.code]),
        {"form_key": form_key, "appeal_type": "help", "content": "单元门门禁坏了，关不上"},
    )
    assert Appeal.objects.count() == 1


def test_citizen_form_errors_are_shown(estate, client):
    response = client.post(
        reverse("doorplates:scan", args=[estate.plate.code]),
        {"form_key": "k", "appeal_type": "help", "content": "", "citizen_phone": "123"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "联系电话格式不正确" in html and not Appeal.objects.exists()


def test_staff_in_scope_see_the_household_card_and_the_view_is_logged(estate, district, make_user, login):
    grid_worker = make_user(district.grid_a, "grid_worker")
    response = login(grid_worker).get(scan_url(estate.plate), REMOTE_ADDR="10.1.2.3")
    html = response.content.decode()
    assert 'id="household-card"' in html and 'name="content"' not in html
    assert "张*国" in html and "139****5678" in html and "李*英" in html
    assert "2单元101室" in html
    assert "张建国" not in html and "13912345678" not in html
    assert "王*" not in html  # entrance 1 is behind another plate
    log = PersonalDataAccess.objects.get()
    assert log.user == grid_worker and log.action == "view"
    assert log.subject_id == estate.plate.address.code and log.ip_address == "10.1.2.3"
    # The building's own plate shows both entrances.
    whole = login(grid_worker).get(scan_url(estate.building_plate)).content.decode()
    assert "王*" in whole and "住户 3 户" in whole
    english = login(grid_worker).get(scan_url(estate.plate), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Entrance 2, room 101" in english


def test_town_and_centre_staff_are_in_scope_too(estate, district, make_user, login):
    for user in (make_user(district.town_a, "handler"), make_user(district.centre, "operator")):
        assert 'id="household-card"' in login(user).get(scan_url(estate.plate)).content.decode()
    assert PersonalDataAccess.objects.count() == 2


@pytest.mark.parametrize("where", ["town_b", "grid_b", "dept_housing"])
def test_staff_out_of_scope_get_the_citizen_form(estate, district, make_user, login, where):
    user = make_user(getattr(district, where), "handler")
    html = login(user).get(scan_url(estate.plate)).content.decode()
    assert 'name="content"' in html and 'id="household-card"' not in html and "张*国" not in html
    assert not PersonalDataAccess.objects.exists()


def test_full_view_needs_the_permission_and_a_reason(estate, district, make_user, login):
    url = reverse("doorplates:scan", args=[estate.plate.code])
    plain = make_user(district.grid_a, "grid_worker")
    page = login(plain).get(url)
    assert page.status_code == 200 and 'id="household-card"' in page.content.decode()  # the card, masked
    assert "显示完整信息" not in page.content.decode()
    allowed = make_user(district.grid_a, "grid_worker", personal_data=True)
    client = login(allowed)
    refused = client.post(url, {"reveal": "1", "reason": ""}).content.decode()
    assert "须填写事由" in refused and "13912345678" not in refused
    shown = client.post(url, {"reveal": "1", "reason": "入户走访核实"}).content.decode()
    assert "张建国" in shown and "13912345678" in shown
    reasons = set(PersonalDataAccess.objects.filter(user=allowed).values_list("reason", flat=True))
    assert "入户走访核实" in reasons


def test_unknown_inactive_and_stale_plates(estate, client):
    assert client.get(reverse("doorplates:scan", args=["NOPE0000"])).status_code == 404
    stale = client.get(reverse("doorplates:scan", args=[estate.plate.code]) + "?k=old-token").content.decode()
    assert "二维码已更新" in stale
    Doorplate.objects.filter(pk=estate.plate.pk).update(is_active=False)
    assert client.get(scan_url(estate.plate)).status_code == 404


def test_a_flood_through_one_plate_is_refused(estate, client, monkeypatch):
    from shanzhi.portal import views_doorplates

    monkeypatch.setattr(views_doorplates, "MAX_APPEALS_PER_PLATE_HOUR", 2)
    url = reverse("doorplates:scan", args=[estate.plate.code])
    for n in range(3):
        response = client.post(url, {"form_key": f"k{n}", "appeal_type": "help", "content": f"第{n}次反映"})
    assert Appeal.objects.count() == 2
    assert response.status_code == 422 and "提交次数过多" in response.content.decode()


def test_the_admin_form_of_a_household_masks_unless_permitted_and_logs_full_views(estate, district, make_user):
    from django.contrib.auth.models import Permission
    from django.test import Client

    household = estate.households[0]  # 张建国, 13912345678
    url = f"/admin/places/household/{household.pk}/change/"
    maintainer = make_user(district.centre, "admin", username="keeper")
    maintainer.is_staff = True
    maintainer.save()
    maintainer.user_permissions.add(*Permission.objects.filter(codename__in=["view_household", "change_household"]))
    client = Client()
    client.force_login(maintainer)
    body = client.get(url).content.decode()
    assert "13912345678" not in body and "张建国" not in body
    assert "139****5678" in body and "张*国" in body
    assert not PersonalDataAccess.objects.exists()

    entitled = make_user(district.centre, "admin", username="entitled", personal_data=True)
    entitled.is_staff = True
    entitled.save()
    entitled.user_permissions.add(*Permission.objects.filter(codename__in=["view_household", "change_household"]))
    client.force_login(entitled)
    body = client.get(url).content.decode()
    assert "13912345678" in body and "张建国" in body
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.subject_type, log.subject_id) == (entitled, "household", str(household.pk))
