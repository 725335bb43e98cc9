"""Portal fixtures on the shared desk: 路灯损坏 routed to the 城管局, staff who handle appeals through the services,
photos, and citizens (verified phones) without going through the code each time."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from PIL import Image

from shanzhi.appeals.models import Appeal, AppealType
from shanzhi.appeals.services import appeal_reply, appeal_request_info
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.core import clock
from shanzhi.orgs.models import User
from shanzhi.portal.citizen import Citizen
from shanzhi.portal.services import Photo, portal_submit
from shanzhi.routing.models import Category

PHONE_A = "13800001111"
PHONE_B = "13900002222"
IP = "ip-hash-of-test-client"


def png_bytes(width: int = 40, height: int = 30, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Staff:
    operator: User
    dispatcher: User
    handler: User


@pytest.fixture
def desk_assisting() -> bool:
    return False


@pytest.fixture
def road_light(desk) -> Category:
    """The shared desk's 路灯损坏 (routed to the 城管局 alone), with the words citizens use for it."""
    desk.road_light.keywords = "路灯 照明"
    desk.road_light.save(update_fields=["keywords"])
    return desk.road_light


@pytest.fixture
def staff(desk) -> Staff:
    desk.operator.groups.add(Group.objects.get_or_create(name="dispatcher")[0])
    return Staff(operator=User.objects.get(pk=desk.operator.pk), dispatcher=desk.dispatcher, handler=desk.urban_handler)


@pytest.fixture
def submit(road_light):
    """``submit(citizen, **overrides)`` files a portal appeal (routed to the 城管局 unless told otherwise)."""
    counter = {"n": 0}

    def make(citizen: Citizen, **kw) -> Appeal:
        counter["n"] += 1
        args = {
            "citizen": citizen,
            "ip_hash": IP,
            "form_key": f"test-form-key-{counter['n']:08d}",
            "appeal_type": AppealType.HELP,
            "content": "和平路 12 号门口的路灯坏了一周，晚上很黑。",
            "category": road_light,
            "address": "和平路12号",
            "now": clock.now(),
        }
        args.update(kw)
        return portal_submit(**args).appeal

    return make


@pytest.fixture
def handle(staff):
    """``handle(appeal, reply)``: the unit signs and feeds back, the centre replies (→ replied)."""

    def run(appeal: Appeal, reply: str = "路灯已于今日修复，感谢您的反映。") -> Appeal:
        assignment = appeal.assignments.get(role="lead", round=appeal.round)
        assignment = assignment_sign(actor=staff.handler, assignment=assignment)
        assignment_feedback(actor=staff.handler, assignment=assignment, text="已更换灯泡", resolved=True)
        return appeal_reply(actor=staff.operator, appeal=Appeal.objects.get(pk=appeal.pk), text=reply)

    return run


@pytest.fixture
def ask(staff):
    def run(appeal: Appeal, question: str = "请提供路灯杆上的编号") -> Appeal:
        return appeal_request_info(actor=staff.operator, appeal=appeal, question=question)

    return run


@pytest.fixture
def citizen_a() -> Citizen:
    return Citizen(phone=PHONE_A)


@pytest.fixture
def citizen_b() -> Citizen:
    return Citizen(phone=PHONE_B)


@pytest.fixture
def photo() -> Photo:
    return Photo(data=png_bytes(), name="light.png")
