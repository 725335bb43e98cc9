"""The assigned unit's logged reveal of the caller's phone and address (issue 22, item 3; DESIGN §7)."""

from __future__ import annotations

import pytest

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.contact_reveal import citizen_contact_reveal, may_reveal_contact
from shanzhi.core.audit import AuditEntry, audit_verify
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


def _lead(appeal):
    return appeal.assignments.get(round=appeal.round, role="lead")


def test_the_lead_unit_gets_the_phone_and_address_and_the_view_is_logged(desk, intake):
    appeal = intake(address="康乐小区3号楼2单元")
    shown = citizen_contact_reveal(
        actor=desk.urban_handler, appeal=appeal, reason="联系诉求人核实位置", ip_address="10.0.0.7"
    )
    assert (shown.phone, shown.address) == ("13800001234", "康乐小区3号楼2单元")
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.subject_type, access.subject_id) == (desk.urban_handler, "appeal", appeal.tracking_no)
    assert access.fields == "citizen_phone,address" and access.reason == "联系诉求人核实位置"
    entry = AuditEntry.objects.get(action="personal_data.view")
    assert entry.actor_id == desk.urban_handler.pk and entry.subject_id == appeal.tracking_no
    assert entry.detail["fields"] == "citizen_phone,address" and entry.detail["reason"] == "联系诉求人核实位置"
    assert "13800001234" not in str(entry.detail)  # the log holds who, what and why, never the value
    assert audit_verify().ok


def test_the_assisting_unit_with_an_active_share_gets_it_too(desk, intake):
    appeal = intake()
    assert may_reveal_contact(user=desk.housing_handler, appeal=appeal)
    assert citizen_contact_reveal(actor=desk.housing_handler, appeal=appeal, reason="协办联系").phone == "13800001234"


@pytest.mark.parametrize("who", ["town_a_handler", "town_b_handler", "grid_worker_a", "operator", "dispatcher"])
def test_a_unit_without_an_active_assignment_gets_nothing(desk, intake, who):
    appeal = intake()
    user = getattr(desk, who)
    assert not may_reveal_contact(user=user, appeal=appeal)
    with pytest.raises(PermissionDenied) as err:
        citizen_contact_reveal(actor=user, appeal=appeal, reason="想看看")
    assert err.value.code == "contact_reveal_forbidden"
    assert not PersonalDataAccess.objects.exists() and not AuditEntry.objects.filter(action="personal_data.view")


def test_a_share_that_ended_opens_nothing_any_more(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=_lead(appeal))
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=_lead(appeal), text="已修复", resolved=True)
    for user in (desk.urban_handler, desk.housing_handler):  # the lead is done, the assisting share ended
        assert not may_reveal_contact(user=user, appeal=appeal)
        with pytest.raises(PermissionDenied):
            citizen_contact_reveal(actor=user, appeal=appeal, reason="再联系一次")
    services.appeal_redo(actor=desk.dispatcher, appeal=appeal, reason="未修好")
    assert may_reveal_contact(user=desk.urban_handler, appeal=appeal)  # the new round's share opens it again


def test_a_reason_is_required_and_nothing_is_logged_without_one(desk, intake):
    appeal = intake()
    with pytest.raises(ValidationFailed) as err:
        citizen_contact_reveal(actor=desk.urban_handler, appeal=appeal, reason=" ")
    assert err.value.code == "reason_required"
    assert not PersonalDataAccess.objects.exists()


def test_an_anonymous_caller_stays_anonymous(desk, intake):
    appeal = intake(is_anonymous=True)
    assert not may_reveal_contact(user=desk.urban_handler, appeal=appeal)
