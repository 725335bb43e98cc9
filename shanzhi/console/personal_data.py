"""Personal data on console pages: masked by default; a full view needs the permission, a reason, and is logged.

DESIGN §7. The caller has already checked that the user may see the appeal (``selectors.appeal_get``). Two rights
open the view: the personal-data permission (everything), or holding an active assignment on the appeal (the
caller's phone and address, to reach them: :mod:`shanzhi.appeals.contact_reveal`).
"""

from __future__ import annotations

from dataclasses import dataclass

from shanzhi.appeals import contact_reveal
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
    #: What the reveal showed: "full" (the permission) or "contact" (the assigned unit: phone and address).
    scope: str = ""


def may_reveal_all(user: User) -> bool:
    return user.is_active and permissions.may_view_personal_data(user)


def may_reveal(user: User, appeal: Appeal | None = None) -> bool:
    """Whether the page offers 显示: the permission, or (with ``appeal``) an active assignment of the user's unit."""
    if may_reveal_all(user):
        return True
    return appeal is not None and contact_reveal.may_reveal_contact(user=user, appeal=appeal)


def citizen_masked(appeal: Appeal) -> CitizenData:
    return CitizenData(
        name=pii.mask_name(appeal.citizen_name),
        phone=pii.mask_phone(appeal.citizen_phone),
        id_number=pii.mask_id_number(appeal.citizen_id_number) if appeal.citizen_id_enc else "",
        address=pii.mask_address(appeal.address),
        revealed=False,
    )


def personal_data_reveal(*, user: User, appeal: Appeal, reason: str, ip_address: str | None = None) -> CitizenData:
    """The citizen's data in full, after the permission was checked and who looked and why was recorded. Without the
    permission, a unit working on the appeal gets the phone and the address (the rest stays masked)."""
    if not may_reveal_all(user) and contact_reveal.may_reveal_contact(user=user, appeal=appeal):
        contact = contact_reveal.citizen_contact_reveal(actor=user, appeal=appeal, reason=reason, ip_address=ip_address)
        masked = citizen_masked(appeal)
        return CitizenData(
            name=masked.name,
            phone=contact.phone,
            id_number=masked.id_number,
            address=contact.address,
            revealed=True,
            scope="contact",
        )
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
        scope="full",
    )
