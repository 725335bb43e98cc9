"""Use cases of the data hub that write or reveal: the logged full view of a person, and exports (ADR 0017).

Imports are in :mod:`shanzhi.datahub.imports`. Reads are in :mod:`shanzhi.datahub.selectors`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.errors import PermissionDenied
from shanzhi.core.models import PersonalDataAccess
from shanzhi.datahub import selectors
from shanzhi.datahub.models import Person
from shanzhi.orgs.models import User
from shanzhi.orgs.personal_data import personal_data_reveal


@dataclass(frozen=True)
class Revealed:
    name: str
    id_number: str
    phone: str


def person_reveal(*, actor: User, person_id: int, reason: str, ip_address: str | None = None) -> Revealed:
    """The full name, ID number and phone of one person in ``actor``'s scope: the permission is checked, a reason
    is required and the view is logged (``core.PersonalDataAccess``)."""
    person = selectors.person_get(actor, person_id)  # out of scope: NotFound, before anything is logged
    personal_data_reveal(
        user=actor,
        subject_type="datahub.person",
        subject_id=person.pk,
        fields="name,id_number,phone",
        reason=reason,
        ip_address=ip_address,
    )
    return Revealed(name=person.name, id_number=person.id_number_clear(), phone=person.phone_clear())


EXPORT_LIMIT = 50_000


def persons_export_xlsx(
    *, actor: User, query: str = "", full: bool = False, reason: str = "", ip_address: str | None = None
) -> bytes:
    """The persons in scope (matching ``query``) as an .xlsx file, masked; ``full`` (with the permission and a
    reason, logged as an export) gives clear names, ID numbers and phones. Every file carries the exporter's name
    and the time as a watermark: in the first row, in the page header and footer, and in the document properties."""
    import openpyxl

    if not selectors.may_use_hub(actor):
        raise PermissionDenied(_("您没有导出人口数据的权限"), code="export_forbidden")
    persons = list(selectors.persons_for(actor, query=query)[:EXPORT_LIMIT])
    if full:
        personal_data_reveal(
            user=actor,
            subject_type="datahub.person",
            subject_id=f"export:{len(persons)}",
            fields="name,id_number,phone",
            reason=reason,
            ip_address=ip_address,
            action=PersonalDataAccess.Action.EXPORT,
        )
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    mark = _("导出人：%(user)s（%(username)s） 导出时间：%(time)s 仅限工作使用，不得外传") % {
        "user": actor.display_name or actor.username,
        "username": actor.username,
        "time": stamp,
    }
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("人口")
    sheet.append([mark])
    sheet.append(
        [_("姓名"), _("身份证号"), _("性别"), _("出生年份"), _("电话"), _("人口类型"), _("户号"), _("楼栋"), _("网格")]
    )
    for p in persons:
        name, number, phone = (
            (p.name, p.id_number_clear(), p.phone_clear()) if full else (p.name_masked, p.id_masked, p.phone_masked)
        )
        sheet.append(
            [
                name,
                number,
                p.get_gender_display(),
                p.birth_year,
                phone,
                p.get_residence_display(),
                p.household.number if p.household else "",
                p.building.name if p.building else "",
                p.grid.name if p.grid else (p.community.name if p.community else ""),
            ]
        )
    sheet.oddHeader.center.text = mark
    sheet.oddFooter.center.text = mark
    book.properties.creator = actor.username
    book.properties.description = mark
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person_card(*, actor: User, person: Person) -> dict[str, object]:
    """What the hub knows about one person, masked: the household's other members, the key-person records (only
    with that permission) and the party membership."""
    household_members = []
    if person.household_id:
        household_members = [
            m for m in selectors.persons_for(actor).filter(household_id=person.household_id) if m.pk != person.pk
        ]
    party = getattr(person, "party_member", None) if hasattr(person, "party_member") else None
    return {
        "household_members": household_members,
        "key_records": selectors.key_records_for(actor, person),
        "party": party,
    }
