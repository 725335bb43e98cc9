"""The API's counterparts of issue 22 items 2 and 3: the assigned unit's logged reveal of the caller's phone and
address (scope: nobody else gets it), and the assisting unit's feedback, which the lead reads on the appeal."""

from __future__ import annotations

from shanzhi.appeals.models import Assignment
from shanzhi.core.audit import AuditEntry
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.apikeys import apikey_create

from .conftest import ApiClient, appeal_body


def _appeal(desk) -> dict:
    return (
        desk.client("centre").post("/appeals", appeal_body(category="010101")).json()
    )  # 城管局 lead, 住建局 assisting


def test_the_lead_unit_gets_the_contact_and_the_view_is_logged(desk):
    created = _appeal(desk)
    shown = desk.client("urban").post(f"/appeals/{created['tracking_no']}/contact-reveal", {"reason": "联系诉求人"})
    assert shown.status_code == 200, shown.content
    assert shown.json() == {
        "tracking_no": created["tracking_no"],
        "citizen_phone": "13812345678",
        "address": "凤凰岭街道和平小区3号楼",
    }
    access = PersonalDataAccess.objects.get()
    assert access.user == desk.urban_handler and access.fields == "citizen_phone,address"
    assert AuditEntry.objects.filter(action="personal_data.view", subject_id=created["tracking_no"]).count() == 1


def test_nobody_without_an_active_assignment_gets_it(desk, make_user):
    created = _appeal(desk)
    town_b = ApiClient(apikey_create(user=make_user(desk.district.town_b, "handler"), name="tb")[1])
    attempts = [
        (desk.client("a").post(f"/appeals/{created['id']}/contact-reveal", {"reason": "查看一下"}), 403),  # sees it
        (desk.client("dispatcher").post(f"/appeals/{created['id']}/contact-reveal", {"reason": "查看一下"}), 403),
        (town_b.post(f"/appeals/{created['id']}/contact-reveal", {"reason": "查看一下"}), 404),  # outside the scope
    ]
    for response, status in attempts:
        assert response.status_code == status, response.content
        assert "13812345678" not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_reason_is_required(desk):
    created = _appeal(desk)
    response = desk.client("urban").post(f"/appeals/{created['id']}/contact-reveal", {"reason": ""})
    assert response.status_code == 422
    assert not PersonalDataAccess.objects.exists()


def test_the_assisting_unit_feeds_back_and_the_lead_reads_it_on_the_appeal(desk, make_user):
    created = _appeal(desk)
    housing = ApiClient(apikey_create(user=make_user(desk.district.dept_housing, "handler"), name="zj")[1])
    urban = desk.client("urban")
    lead = Assignment.objects.get(appeal_id=created["id"], role="lead")
    assisting = Assignment.objects.get(appeal_id=created["id"], role="assisting")
    assert urban.post(f"/assignments/{lead.pk}/sign").status_code == 200
    assert housing.post(f"/assignments/{assisting.pk}/sign").status_code == 200
    fed = housing.post(f"/assignments/{assisting.pk}/feedback", {"text": "线路产权已核实", "resolved": True})
    assert fed.status_code == 200 and fed.json()["state"] == "done"
    detail = urban.get(f"/appeals/{created['id']}").json()
    assert detail["state"] == "in_progress"
    by_role = {a["role"]: a for a in detail["assignments"]}
    assert by_role["assisting"]["feedback"] == "线路产权已核实"
    # the lead's own feedback then closes the round; a still-open share would end with it
    assert urban.post(f"/assignments/{lead.pk}/feedback", {"text": "已修复", "resolved": True}).status_code == 200
    assert Assignment.objects.get(pk=assisting.pk).state == "done"
