"""The security suite on the shared desk (``tests/desk.py``): one appeal of town A with everything hanging off it
(a photo, a signed assignment with a pending extension request, an encrypted ID number), and people of every role
who should or should not see it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from desk import Desk
from django.contrib.auth.models import Group, Permission
from PIL import Image

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment, AssignmentRequest, Attachment
from shanzhi.core import pii
from shanzhi.orgs.models import Role, Unit, User

CITIZEN_NAME = "欧阳克锋"
CITIZEN_PHONE = "13911112222"
CITIZEN_ID = "150302199001011231"  # a valid GB 11643 number (check character computed)
CONTENT = "安全测试标记七七三一：物业不作为垃圾堆积"
OTHER_CITIZEN_PHONE = "13700001111"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 130, 30)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Scene:
    desk: Desk
    appeal: Appeal
    attachment: Attachment
    assignment: Assignment
    request: AssignmentRequest

    def markers(self) -> dict[str, str]:
        """Strings that name the object: none may reach someone outside its scope."""
        return {
            "tracking number": self.appeal.tracking_no,
            "content": CONTENT[:12],
            "citizen name": CITIZEN_NAME,
            "masked name": pii.mask_name(CITIZEN_NAME),
            "phone": CITIZEN_PHONE,
            "masked phone": pii.mask_phone(CITIZEN_PHONE),
            "id number": CITIZEN_ID,
            "masked id number": pii.mask_id_number(CITIZEN_ID),
        }


def scene_create(desk: Desk) -> Scene:
    """The town A appeal and what hangs off it (called inside a test, after a baseline was taken)."""
    from shanzhi.appeals.attachments import attachment_add
    from shanzhi.appeals.intake import appeal_intake
    from shanzhi.appeals.unit_work import assignment_request, assignment_sign

    assert pii.id_number_is_valid(CITIZEN_ID)
    appeal = appeal_intake(
        actor=desk.operator,
        channel="hotline",
        content=CONTENT,
        category=desk.property_service,
        citizen_name=CITIZEN_NAME,
        citizen_phone=CITIZEN_PHONE,
        citizen_id_number=CITIZEN_ID,
        address="凤凰岭街道和平路12号",
        area=desk.district.grid_a,
    ).appeal
    assert appeal.lead_unit == desk.district.town_a
    photo = attachment_add(actor=desk.operator, appeal=appeal, upload=io.BytesIO(png_bytes()), name="现场.png")
    assignment = appeal.assignments.get()
    assignment = assignment_sign(actor=desk.town_a_handler, assignment=assignment)
    request = assignment_request(
        actor=desk.town_a_handler, assignment=assignment, kind="extend", reason="需协调物业", extra_working_days=3
    )
    from shanzhi.supervision.services import supervision_issue  # a supervision order the centre pressed it with

    supervision_issue(actor=desk.leader, assignment=assignment, level="red", reason="请加快协调物业")
    return Scene(desk, Appeal.objects.get(pk=appeal.pk), photo, assignment, request)


def admin_object_of(scene: Scene):  # type: ignore[no-untyped-def]
    """The admin's object id for a model: the scene's own row where the model has one, else any row."""
    from django.apps import apps

    own = {
        ("appeals", "appeal"): scene.appeal.pk,
        ("appeals", "assignment"): scene.assignment.pk,
        ("appeals", "assignmentrequest"): scene.request.pk,
        ("appeals", "appealevent"): AppealEvent.objects.filter(appeal=scene.appeal).values_list("pk", flat=True)[0],
        ("supervision", "supervisionorder"): scene.appeal.supervision_orders.values_list("pk", flat=True)[0],
    }

    def pick(app_label: str, model_name: str) -> str:
        if (app_label, model_name) in own:
            return str(own[(app_label, model_name)])
        row = apps.get_model(app_label, model_name).objects.values_list("pk", flat=True).first()
        return str(row if row is not None else 1)

    return pick


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def staff(unit: Unit, role: str, username: str, *, is_staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password="x-pass-1234", unit=unit, display_name=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if is_staff or role == Role.ADMIN:
        # An administrator opens the admin with every model permission but the personal-data one.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.set(Permission.objects.exclude(codename="view_personal_data"))
    return User.objects.get(pk=user.pk)
