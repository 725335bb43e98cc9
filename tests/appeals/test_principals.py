"""Every lifecycle action names who takes it: ``actor=None`` is refused (it used to skip the role check), the
citizen and the platform's processes act as principals the rules table names, and only where it names them."""

from __future__ import annotations

import pytest
from lifecycle_states import appeal_in_state, lead_of

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.principals import CITIZEN, SYSTEM_GRID_VERIFICATION, SYSTEM_IOT, SYSTEM_SWEEP
from shanzhi.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_no_actor_is_refused_and_nothing_changes(desk, intake):
    appeal = appeal_in_state(desk, intake, AppealState.CLOSED)
    with pytest.raises(PermissionDenied) as refused:
        services.appeal_reopen(actor=None, appeal=appeal, reason="又坏了")  # type: ignore[arg-type]
    assert refused.value.code == "actor_required"
    appeal.refresh_from_db()
    assert appeal.state == AppealState.CLOSED and appeal.round == 1


def test_no_actor_cannot_supply_information(desk, intake):
    appeal = appeal_in_state(desk, intake, AppealState.NEEDS_INFO)
    with pytest.raises(PermissionDenied) as refused:
        services.appeal_supply_info(actor=None, appeal=appeal, text="在3号楼")  # type: ignore[arg-type]
    assert refused.value.code == "actor_required"
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.NEEDS_INFO


def test_the_citizen_supplies_information_and_the_event_names_them(desk, intake):
    appeal = appeal_in_state(desk, intake, AppealState.NEEDS_INFO)
    services.appeal_supply_info(actor=CITIZEN, appeal=appeal, text="在3号楼")
    event = appeal.events.get(kind="info_supplied")
    assert event.actor_id is None and event.payload["by"] == "citizen"
    assert Appeal.objects.get(pk=appeal.pk).state != AppealState.NEEDS_INFO


@pytest.mark.parametrize("principal", [CITIZEN, SYSTEM_SWEEP, SYSTEM_IOT, SYSTEM_GRID_VERIFICATION])
def test_principals_cannot_close(desk, intake, principal):
    appeal = appeal_in_state(desk, intake, AppealState.REPLIED)
    with pytest.raises(PermissionDenied) as refused:
        services.appeal_close(actor=principal, appeal=appeal, note="结")
    assert refused.value.code == "role_not_allowed"
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.REPLIED


def test_the_sweep_cannot_reopen_but_a_failed_verification_may(desk, intake):
    appeal = appeal_in_state(desk, intake, AppealState.CLOSED)
    with pytest.raises(PermissionDenied):
        services.appeal_reopen(actor=SYSTEM_SWEEP, appeal=appeal, reason="巡检")
    services.appeal_reopen(actor=SYSTEM_GRID_VERIFICATION, appeal=appeal, reason="核查未通过")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2
    assert appeal.events.get(kind="redo").payload["by"] == "system:grid_verification"
    assert appeal.assignments.filter(round=2, dispatched_by__isnull=True).exists()


def test_a_principal_never_works_an_assignment(desk, intake):
    """Unit actions need the unit's own staff: a principal has no unit, whatever the table said."""
    appeal = appeal_in_state(desk, intake, AppealState.DISPATCHED)
    with pytest.raises(PermissionDenied):
        unit_work.assignment_sign(actor=CITIZEN, assignment=lead_of(appeal))  # type: ignore[arg-type]
    assert lead_of(appeal).state == "pending"


def test_a_group_named_like_a_principal_gives_staff_nothing(desk, intake, make_user):
    appeal = appeal_in_state(desk, intake, AppealState.CLOSED)
    sneaky = make_user(desk.district.centre, "analyst")
    from django.contrib.auth.models import Group

    sneaky.groups.add(Group.objects.get_or_create(name="citizen")[0])
    sneaky = type(sneaky).objects.get(pk=sneaky.pk)
    assert "citizen" in sneaky.role_codes
    with pytest.raises(PermissionDenied) as refused:
        services.appeal_reopen(actor=sneaky, appeal=appeal, reason="冒充")
    assert refused.value.code == "role_not_allowed"


def test_intake_names_who_registers(desk):
    from appeals.conftest import appeal_fields

    with pytest.raises(PermissionDenied) as refused:
        services.appeal_intake(actor=None, **appeal_fields(desk))  # type: ignore[arg-type]
    assert refused.value.code == "actor_required"
    with pytest.raises(PermissionDenied) as refused:
        services.appeal_intake(actor=SYSTEM_SWEEP, **appeal_fields(desk))
    assert refused.value.code == "role_may_not_intake"
    assert not Appeal.objects.exists()
    filed = services.appeal_intake(actor=CITIZEN, **appeal_fields(desk, channel="portal")).appeal
    assert filed.created_by_id is None and filed.events.get(kind="received").actor_id is None
