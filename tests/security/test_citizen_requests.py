"""A citizen's request to copy or delete their data (PIPL art. 45, 47): only the centre's personal-data holders
handle it, with a reason; the copy holds every appeal of that phone in full and is logged per appeal; deletion
anonymises the finished appeals and keeps the open ones (the centre must still answer them)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shanzhi.appeals.citizen_requests import citizen_data_erase, citizen_data_export
from shanzhi.appeals.models import Appeal
from shanzhi.core.audit import AuditEntry
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def held(intake, intake_defaults):  # type: ignore[no-untyped-def]
    """Two appeals of the caller (one finished, one open) and one of somebody else."""
    finished = intake(citizen_phone=PHONE, citizen_name="李四", address="和平小区5号楼")
    Appeal.objects.filter(pk=finished.pk).update(state="closed")
    running = intake(citizen_phone=PHONE, citizen_name="李四")
    other = intake(citizen_phone="13700001111", citizen_name="王五")
    return finished, running, other


@pytest.fixture
def handler(desk, make_user):
    return make_user(desk.district.centre, "operator", username="pd-desk", personal_data=True)


def test_only_the_centres_personal_data_holders_with_a_reason(desk, make_user, held, handler):
    town_pd = make_user(desk.district.town_a, "operator", username="town-pd", personal_data=True)
    no_pd = make_user(desk.district.centre, "operator", username="no-pd")
    for outsider in (town_pd, no_pd):
        with pytest.raises(PermissionDenied):
            citizen_data_export(actor=outsider, phone=PHONE, reason="申请 2026-01")
        with pytest.raises(PermissionDenied):
            citizen_data_erase(actor=outsider, phone=PHONE, reason="申请 2026-01")
    with pytest.raises(ValidationFailed) as no_reason:
        citizen_data_export(actor=handler, phone=PHONE, reason=" ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(ValidationFailed) as bad_phone:
        citizen_data_export(actor=handler, phone="12", reason="申请 2026-01")
    assert bad_phone.value.code == "invalid_phone"
    assert not PersonalDataAccess.objects.exists()


def test_the_copy_holds_every_appeal_of_the_phone_in_full_and_is_logged(held, handler):
    finished, running, other = held
    document = citizen_data_export(actor=handler, phone=PHONE, reason="申请 2026-01，身份证核验")
    numbers = [a["tracking_no"] for a in document["appeals"]]
    assert numbers == [finished.tracking_no, running.tracking_no]
    assert other.tracking_no not in json.dumps(document, ensure_ascii=False)
    first = document["appeals"][0]
    assert (first["citizen_phone"], first["citizen_name"], first["address"]) == (PHONE, "李四", "和平小区5号楼")
    assert first["content"] and first["timeline"]
    logged = PersonalDataAccess.objects.filter(user=handler, action="export")
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted(numbers)
    assert AuditEntry.objects.filter(action="citizen_request.export", actor_id=handler.pk).exists()


def test_deletion_anonymises_the_finished_and_keeps_the_open(held, handler):
    finished, running, other = held
    result = citizen_data_erase(actor=handler, phone=PHONE, reason="申请 2026-02，删除")
    assert (result.anonymised, result.kept_open) == (1, 1)
    finished.refresh_from_db()
    assert (finished.citizen_phone, finished.citizen_name, finished.address) == ("", "", "")
    assert finished.content  # the words stay
    running.refresh_from_db()
    other.refresh_from_db()
    assert running.citizen_phone == PHONE and other.citizen_phone == "13700001111"  # controls
    entry = AuditEntry.objects.get(action="citizen_request.erase")
    assert entry.detail["appeal_ids"] == [finished.pk] and PHONE not in json.dumps(entry.detail)


def test_the_console_page_exports_a_file_and_refuses_others(held, handler, desk, make_user, login):
    page = reverse("console:citizen_requests")
    assert login(make_user(desk.district.town_b, "handler", username="tb-outsider")).get(page).status_code == 403
    client = login(handler)
    assert client.get(page).status_code == 200
    response = client.post(page, {"phone": PHONE, "reason": "申请 2026-03 核验", "action": "export"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert [a["citizen_phone"] for a in json.loads(response.content)["appeals"]] == [PHONE, PHONE]
    erased = client.post(page, {"phone": PHONE, "reason": "申请 2026-03 删除", "action": "erase"}, follow=True)
    assert "已匿名化 1 件" in erased.content.decode()
