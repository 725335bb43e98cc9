"""The handling unit's way to the citizen (联系诉求人): a logged full view of the caller's phone and address.

DESIGN §7: personal data is masked; a full view needs a right, a stated reason, and is written to the access log
(and so to the audit chain). Here the right is the work itself: a member of a unit that holds an active assignment
(pending, signed or shelved) on the appeal, in a role that works assignments (承办人, 单位负责人, 网格员), may see the
two things needed to reach the citizen — never the ID number. A unit whose share has ended, or that never had one,
gets nothing. An anonymous caller stays anonymous: there is nothing to reveal to a unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Appeal
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User

CONTACT_FIELDS = ("citizen_phone", "address")


@dataclass(frozen=True)
class CitizenContact:
    phone: str
    address: str


def holds_active_assignment(*, user: User, appeal: Appeal) -> bool:
    """Whether ``user`` works for a unit with an active assignment on ``appeal`` (any round: only the current round's
    can still be active)."""
    if not permissions.is_active_staff(user) or user.unit_id is None:
        return False
    if not permissions.holds(user, permissions.UNIT_WORK_ROLES):
        return False
    return appeal.assignments.filter(unit_id=user.unit_id, state__in=ACTIVE_ASSIGNMENT_STATES).exists()


def may_reveal_contact(*, user: User, appeal: Appeal) -> bool:
    return not appeal.is_anonymous and holds_active_assignment(user=user, appeal=appeal)


def citizen_contact_reveal(
    *, actor: User, appeal: Appeal, reason: str, ip_address: str | None = None
) -> CitizenContact:
    """The caller's phone and address in full for the assigned unit, after the reason was recorded."""
    if not may_reveal_contact(user=actor, appeal=appeal):
        raise PermissionDenied(_("只有正在办理该诉求的单位可以查看诉求人联系方式"), code="contact_reveal_forbidden")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("查看完整个人信息须填写事由"), code="reason_required")
    PersonalDataAccess.objects.create(
        user=actor,
        action=PersonalDataAccess.Action.VIEW,
        subject_type="appeal",
        subject_id=appeal.tracking_no,
        fields=",".join(CONTACT_FIELDS),
        reason=reason[:200],
        ip_address=ip_address or None,
    )
    return CitizenContact(phone=appeal.citizen_phone, address=appeal.address)
