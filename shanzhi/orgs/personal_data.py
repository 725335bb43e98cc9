"""Full views of personal data: the permission is checked and every view or export is logged (DESIGN §7)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_view_personal_data


def personal_data_reveal(
    *,
    user: User,
    subject_type: str,
    subject_id: str | int,
    fields: str,
    reason: str,
    ip_address: str | None = None,
    action: str = PersonalDataAccess.Action.VIEW,
) -> PersonalDataAccess:
    """Check the permission and record one full view (or export) of personal data. The caller then shows it."""
    if not may_view_personal_data(user):
        raise PermissionDenied(_("您没有查看完整个人信息的权限"), code="personal_data_forbidden")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("查看完整个人信息须填写事由"), code="reason_required")
    return PersonalDataAccess.objects.create(
        user=user,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        fields=fields[:200],
        reason=reason[:200],
        ip_address=ip_address or None,
    )
