"""Co-governance fixtures on the shared desk: staff of the two communities (和平 in town A, 清泉 in town B), a
resource and a volunteer team in each, residents' phones, and a client signed in to the portal as a resident."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from shanzhi.cogovern import services
from shanzhi.cogovern.checklist import seed_checklist
from shanzhi.cogovern.models import Activity, ChecklistItem, Resource, Volunteer, VolunteerTeam
from shanzhi.orgs.models import User

RESIDENT = "13800005678"
OTHER_RESIDENT = "13900006789"
NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 at the centre


@dataclass
class Co:
    staff_a: User  # 和平社区 承办人
    staff_b: User  # 清泉社区 承办人
    head_a: User  # 和平社区 负责人, may see personal data
    resource_a: Resource
    resource_b: Resource
    team_a: VolunteerTeam
    volunteer_a: Volunteer
    activity_a: Activity


@pytest.fixture
def co(desk, make_user) -> Co:
    # The default checklist comes with migration 0002; a transactional test earlier in the same worker flushes the
    # tables (migration data included), so the fixture puts it back (idempotent, as the migration is).
    seed_checklist(ChecklistItem)
    d = desk.district
    staff_a = make_user(d.community_a, "handler", username="com-a")
    staff_b = make_user(d.community_b, "handler", username="com-b")
    head_a = make_user(d.community_a, "unit_head", username="head-a", personal_data=True)
    resource_a = services.resource_create(
        actor=staff_a, community=d.community_a, kind="venue", name="和平社区活动室", capacity=2, now=NOW
    )
    resource_b = services.resource_create(
        actor=staff_b, community=d.community_b, kind="service", name="清泉理发志愿服务", now=NOW
    )
    team_a = services.team_create(actor=staff_a, community=d.community_a, name="和平平安志愿队", kind="safety", now=NOW)
    volunteer_a = services.volunteer_register(actor=staff_a, team=team_a, name="王小明", phone=RESIDENT, now=NOW)
    plan = services.ActivityPlan(
        title="夜间平安巡逻",
        starts_at=NOW,
        ends_at=NOW + dt.timedelta(hours=2),
        hours=Decimal("2"),
        place="和平路",
        kind="patrol",
    )
    activity_a = services.activity_create(actor=staff_a, community=d.community_a, team=team_a, plan=plan, now=NOW)
    return Co(staff_a, staff_b, head_a, resource_a, resource_b, team_a, volunteer_a, activity_a)


@pytest.fixture
def resident_client(db) -> Client:
    """A client signed in to the portal as ``RESIDENT`` (the portal's session key, as its code sign-in leaves it)."""
    client = Client()
    session = client.session
    session["citizen_phone"] = RESIDENT
    session.save()
    return client
