"""Mediation fixtures: the test desk plus a committee with a room, slots and two mediators (``med``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from shanzhi.core import clock
from shanzhi.mediation.models import Committee, Mediator, Room, Slot
from shanzhi.mediation.services import PartyIn
from shanzhi.orgs.models import User

APPLICANT = PartyIn("applicant", "李建国", "13912345678", "150302198001011237", "和平路12号3单元501")
RESPONDENT = PartyIn("respondent", "王秀英", "13698765432", "", "和平路12号3单元601")


@dataclass
class Med:
    committee: Committee
    other_committee: Committee
    room: Room
    slots: list[Slot]
    mediator: Mediator  # 调解员 of the centre's committee
    mediator_b: Mediator  # 调解员 of 新华街道's committee
    grid_worker_b: User  # 网格员 of 清泉社区第1网格 (the other town)
    town_a_head: User  # 凤凰岭街道 单位负责人


def _slots(room: Room, count: int) -> list[Slot]:
    start = (clock.now() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return [
        Slot.objects.create(room=room, starts_at=start + dt.timedelta(hours=2 * i),
                            ends_at=start + dt.timedelta(hours=2 * i + 1))
        for i in range(count)
    ]  # fmt: skip


@pytest.fixture
def med(desk, make_user) -> Med:
    d = desk.district
    committee = Committee.objects.create(code="TW-ZX", name="海勃湾区矛盾纠纷调解中心人民调解委员会", unit=d.centre)
    other = Committee.objects.create(code="TW-XH", name="新华街道人民调解委员会", unit=d.town_b)
    room = Room.objects.create(committee=committee, name="第一调解室")
    Room.objects.create(committee=other, name="新华调解室")
    user = make_user(d.centre, "mediator", username="med")
    user_b = make_user(d.town_b, "mediator", username="med-b")
    mediator = Mediator.objects.create(user=user, committee=committee, domains=["neighbours", "property"])
    mediator_b = Mediator.objects.create(user=user_b, committee=other, domains=["neighbours"])
    return Med(
        committee=committee,
        other_committee=other,
        room=room,
        slots=_slots(room, 3),
        mediator=mediator,
        mediator_b=mediator_b,
        grid_worker_b=make_user(d.grid_b, "grid_worker", username="grid-b"),
        town_a_head=make_user(d.town_a, "unit_head", username="ta-head"),
    )


@pytest.fixture
def screening(desk):
    from shanzhi.mediation.services import screening_report_file

    def make(**kw):
        today = clock.local_date()
        values = {
            "actor": desk.grid_worker_a,
            "unit": desk.district.grid_a,
            "period_start": today - dt.timedelta(days=7),
            "period_end": today,
            "domain": "neighbours",
            "risk_level": "high",
            "summary": "和平路12号楼上楼下漏水纠纷，双方多次争吵，有激化苗头",
            "dispute_count": 1,
        }
        return screening_report_file(**{**values, **kw})

    return make


@pytest.fixture
def case_of(desk, med, screening):
    """A case from a high-risk screening report in grid A, registered by the centre's mediator."""
    from shanzhi.mediation.services import case_from_screening

    def make(**kw):
        report = kw.pop("report", None) or screening()
        return case_from_screening(
            actor=kw.pop("actor", med.mediator.user),
            report=report,
            title=kw.pop("title", "楼上漏水损坏楼下装修"),
            facts=kw.pop("facts", "601室卫生间漏水致501室天花板和墙面受损，双方就维修和赔偿金额争执不下。"),
            parties=kw.pop("parties", [APPLICANT, RESPONDENT]),
            **kw,
        )

    return make
