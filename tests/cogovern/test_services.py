"""The three lists end to end through the services, the refusals, votes, and the QR check-in counted once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shanzhi.cogovern import services
from shanzhi.cogovern.models import CheckIn, Demand, DemandState, DemandVote, Project, ProjectState
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed

from .conftest import NOW, OTHER_RESIDENT, RESIDENT

pytestmark = pytest.mark.django_db


def post(desk, **kw) -> Demand:
    args = {
        "phone": RESIDENT,
        "community": desk.district.community_a,
        "title": "楼道灯需要维修",
        "content": "3 号楼 2 单元楼道灯坏了，老人晚上上下楼不方便。",
        "now": NOW,
    }
    return services.demand_post(**{**args, **kw})


def test_demand_to_resource_to_project_to_done(desk, co):
    demand = post(desk)
    assert demand.state == DemandState.SUBMITTED and demand.source == "portal"

    demand = services.demand_match(actor=co.staff_a, demand=demand, resource=co.resource_a, note="活动室", now=NOW)
    assert (demand.state, demand.resource_id, demand.matched_by_id) == ("matched", co.resource_a.pk, co.staff_a.pk)

    project = services.project_create(
        actor=co.staff_a,
        demand=demand,
        title="楼道灯维修",
        budget="1200.5",
        beneficiaries=40,
        milestones=[("采购灯具", dt.date(2026, 3, 12)), ("安装", None)],
        now=NOW,
    )
    assert project.budget == Decimal("1200.50") and project.owner == co.staff_a
    assert [m.title for m in project.milestones.all()] == ["采购灯具", "安装"]
    assert Demand.objects.get(pk=demand.pk).state == DemandState.IN_PROJECT

    services.milestone_done(actor=co.staff_a, milestone=project.milestones.first(), now=NOW)
    project = services.project_start(actor=co.staff_a, project=project, now=NOW)
    later = NOW + dt.timedelta(days=3)
    project = services.project_finish(actor=co.staff_a, project=project, result="已更换 6 盏灯", now=later)
    assert project.state == ProjectState.FINISHED and project.finished_at == later
    demand.refresh_from_db()
    assert demand.state == DemandState.DONE and demand.done_at == later


def test_refusals_are_coded_and_write_nothing(desk, co):
    demand = post(desk)
    with pytest.raises(ValidationFailed) as error:
        services.demand_match(actor=co.staff_a, demand=demand, resource=co.resource_b, now=NOW)
    assert error.value.code == "resource_out_of_community"
    with pytest.raises(PermissionDenied) as error:
        services.demand_match(actor=co.staff_b, demand=demand, resource=co.resource_b, now=NOW)
    assert error.value.code == "cogovern_forbidden"
    with pytest.raises(TransitionNotAllowed) as error:
        services.project_create(actor=co.staff_a, demand=demand, title="x项目", now=NOW)
    assert error.value.code == "demand_not_matched"
    assert Demand.objects.get(pk=demand.pk).state == DemandState.SUBMITTED and not Project.objects.exists()

    with pytest.raises(ValidationFailed) as error:
        post(desk, community=desk.district.town_a)
    assert error.value.code == "community_required"
    with pytest.raises(PermissionDenied) as error:
        post(desk, phone="")
    assert error.value.code == "signin_required"
    with pytest.raises(ValidationFailed) as error:
        post(desk, title="灯")
    assert error.value.code == "text_too_short"

    services.demand_match(actor=co.staff_a, demand=demand, resource=co.resource_a, now=NOW)
    project = services.project_create(actor=co.staff_a, demand=demand, title="楼道灯维修", now=NOW)
    with pytest.raises(TransitionNotAllowed) as error:
        services.project_finish(actor=co.staff_a, project=project, result="完成了", now=NOW)
    assert error.value.code == "project_transition_not_allowed"
    assert Project.objects.get(pk=project.pk).state == ProjectState.PLANNED


def test_a_cancelled_project_sends_the_demand_back_to_be_planned_again(desk, co):
    demand = services.demand_match(actor=co.staff_a, demand=post(desk), resource=co.resource_a, now=NOW)
    first = services.project_create(actor=co.staff_a, demand=demand, title="第一次", now=NOW)
    services.project_cancel(actor=co.staff_a, project=first, reason="预算未落实", now=NOW)
    assert Demand.objects.get(pk=demand.pk).state == DemandState.MATCHED
    second = services.project_create(actor=co.staff_a, demand=demand, title="第二次", now=NOW)
    assert second.pk != first.pk and Demand.objects.get(pk=demand.pk).state == DemandState.IN_PROJECT


def test_a_full_resource_takes_no_more_demands(desk, co):
    for n in range(2):  # capacity 2
        d = services.demand_match(
            actor=co.staff_a, demand=post(desk, title=f"需求第{n}件"), resource=co.resource_a, now=NOW
        )
        services.project_create(actor=co.staff_a, demand=d, title=f"项目{n}号", now=NOW)
    with pytest.raises(ValidationFailed) as error:
        services.demand_match(actor=co.staff_a, demand=post(desk), resource=co.resource_a, now=NOW)
    assert error.value.code == "resource_unavailable"


def test_a_resident_supports_a_demand_once(desk, co):
    demand = post(desk)
    assert services.demand_vote(phone=OTHER_RESIDENT, demand=demand, now=NOW) is True
    assert services.demand_vote(phone=OTHER_RESIDENT, demand=demand, now=NOW) is False
    assert services.demand_vote(phone=RESIDENT, demand=demand, now=NOW) is True
    assert Demand.objects.get(pk=demand.pk).votes == 2
    assert OTHER_RESIDENT not in DemandVote.objects.values_list("voter_hash", flat=True)
    services.demand_decline(actor=co.staff_a, demand=demand, reason="不属于社区事务", now=NOW)
    with pytest.raises(TransitionNotAllowed):
        services.demand_vote(phone="13700001111", demand=Demand.objects.get(pk=demand.pk), now=NOW)


def test_qr_check_in_counts_once_per_activity_and_volunteer(co):
    token = services.checkin_token(co.activity_a)
    first = services.check_in_by_qr(token=token, phone=RESIDENT, now=NOW + dt.timedelta(minutes=5))
    second = services.check_in_by_qr(token=token, phone=RESIDENT, now=NOW + dt.timedelta(minutes=6))
    assert first.created is True and second.created is False
    assert second.checkin.pk == first.checkin.pk
    assert CheckIn.objects.filter(activity=co.activity_a, volunteer=co.volunteer_a).count() == 1
    assert first.checkin.hours == Decimal("2.0")


def test_the_database_itself_refuses_a_second_check_in(co):
    CheckIn.objects.create(activity=co.activity_a, volunteer=co.volunteer_a, hours=Decimal("2"), at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(activity=co.activity_a, volunteer=co.volunteer_a, hours=Decimal("2"), at=NOW)
    assert CheckIn.objects.count() == 1


def test_check_in_refuses_forged_tokens_strangers_and_wrong_times(co):
    token = services.checkin_token(co.activity_a)
    with pytest.raises(NotFound) as error:
        services.check_in_by_qr(token=token[:-2] + "xx", phone=RESIDENT, now=NOW)
    assert error.value.code == "invalid_checkin_token"
    with pytest.raises(PermissionDenied) as error:
        services.check_in_by_qr(token=token, phone=OTHER_RESIDENT, now=NOW)
    assert error.value.code == "not_a_volunteer"
    with pytest.raises(TransitionNotAllowed) as error:
        services.check_in_by_qr(token=token, phone=RESIDENT, now=NOW + dt.timedelta(days=1))
    assert error.value.code == "checkin_closed"
    assert not CheckIn.objects.exists()


def test_social_forces_provide_resources_in_their_community(desk, co):
    enterprise = services.social_force_register(
        actor=co.staff_a,
        community=desk.district.community_a,
        kind="enterprise",
        name="和平物业公司",
        services="免费维修",
        contact_phone="138 0000 9999",
        now=NOW,
    )
    resource = services.resource_create(
        actor=co.staff_a,
        community=desk.district.community_a,
        kind="service",
        name="物业维修服务",
        provider=enterprise,
        now=NOW,
    )
    assert resource.provider == enterprise and enterprise.contact_phone == "13800009999"
    other = services.social_force_register(
        actor=co.staff_b, community=desk.district.community_b, kind="lawyer", name="李律师", now=NOW
    )
    with pytest.raises(ValidationFailed) as error:
        services.resource_create(
            actor=co.staff_a,
            community=desk.district.community_a,
            kind="service",
            name="法律咨询",
            provider=other,
            now=NOW,
        )
    assert error.value.code == "provider_out_of_community"


def test_the_project_owner_must_work_in_the_community(desk, co):
    demand = services.demand_match(actor=co.staff_a, demand=post(desk), resource=co.resource_a, now=NOW)
    with pytest.raises(ValidationFailed) as error:
        services.project_create(actor=co.staff_a, demand=demand, title="楼道灯维修", owner=co.staff_b, now=NOW)
    assert error.value.code == "invalid_owner"
    assert Demand.objects.get(pk=demand.pk).state == DemandState.MATCHED and not Project.objects.exists()


def test_a_resident_posts_at_most_five_demands_a_day(desk):
    for n in range(5):
        post(desk, title=f"第{n}件需求事项", now=NOW + dt.timedelta(minutes=n))
    with pytest.raises(ValidationFailed) as error:
        post(desk, now=NOW + dt.timedelta(hours=1))
    assert error.value.code == "too_many_demands" and Demand.objects.count() == 5
    post(desk, now=NOW + dt.timedelta(days=1, minutes=1))
    post(desk, phone=OTHER_RESIDENT, now=NOW + dt.timedelta(hours=1))
