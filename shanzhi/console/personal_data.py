"""Personal data on console pages: masked by default; a full view needs the permission, a reason, and is logged.

DESIGN §7. The caller has already checked that the user may see the appeal (``selectors.appeal_get``).
"""

from __future__ import annotations

from dataclasses import dataclass

from shanzhi.appeals.models import Appeal
from shanzhi.core import pii
from shanzhi.orgs import permissions
from shanzhi.orgs import personal_data as orgs_personal_data
from shanzhi.orgs.models import User

APPEAL_FIELDS = ("citizen_name", "citizen_phone", "citizen_id_number", "address")


@dataclass(frozen=True)
class CitizenData:
    name: str
    phone: str
    id_number: str
    address: str
    revealed: bool


def may_reveal(user: User) -> bool:
    return user.is_active and permissions.may_view_personal_data(user)


def citizen_masked(appeal: Appeal) -> CitizenData:
    return CitizenData(
        name=pii.mask_name(appeal.citizen_name),
        phone=pii.mask_phone(appeal.citizen_phone),
        id_number=pii.mask_id_number(appeal.citizen_id_number) if appeal.citizen_id_enc else "",
        address=pii.mask_address(appeal.address),
        revealed=False,
    )


def personal_data_reveal(*, user: User, appeal: Appeal, reason: str, ip_address: str | None = None) -> CitizenData:
    """The citizen's data in full, after the permission was checked and who looked and why was recorded."""
    orgs_personal_data.personal_data_reveal(
        user=user,
        subject_type="appeal",
        subject_id=appeal.tracking_no,
        fields=",".join(APPEAL_FIELDS),
        reason=reason,
        ip_address=ip_address,
    )
    return CitizenData(
        name=appeal.citizen_name,
        phone=appeal.citizen_phone,
        id_number=appeal.citizen_id_number,
        address=appeal.address,
        revealed=True,
    )
