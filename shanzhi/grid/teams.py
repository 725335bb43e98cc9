"""The grid service teams (网格综合服务队, 1+3+N): who belongs to a grid, in what role; kept by the grid's territorial
units (its community and town heads) and the centre's administrators."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.core import pii
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid.models import GridMember, MemberRole
from shanzhi.grid.selectors import grids_visible_to
from shanzhi.orgs.models import Role, Unit, UnitKind, User
from shanzhi.orgs.permissions import in_subtree, is_active_staff, may_administer, sees_everything


def may_manage_team(user: User, grid: Unit) -> bool:
    """The centre's administrators, and unit heads of a territorial unit above the grid."""
    if may_administer(user):
        return True
    return (
        is_active_staff(user)
        and user.has_role(Role.UNIT_HEAD)
        and user.unit is not None
        and user.unit.kind in (UnitKind.TOWN, UnitKind.COMMUNITY, UnitKind.DISTRICT)
        and in_subtree(grid.path, unit=user.unit)
    )


def members_visible_to(user: User) -> QuerySet[GridMember]:
    qs = GridMember.objects.filter(is_active=True).select_related("grid", "user", "from_unit")
    if sees_everything(user):
        return qs
    return qs.filter(grid__in=grids_visible_to(user))


@transaction.atomic
def member_add(
    *,
    actor: User,
    grid: Unit,
    role: str,
    name: str,
    phone: str = "",
    user: User | None = None,
    from_unit: Unit | None = None,
) -> GridMember:
    if grid.kind != UnitKind.GRID or not grids_visible_to(actor).filter(pk=grid.pk).exists():
        raise NotFound()
    if not may_manage_team(actor, grid):
        raise PermissionDenied(_("您不能调整该网格的服务队"), code="not_team_manager")
    if role not in MemberRole.values:
        raise ValidationFailed(_("职责无效"), code="invalid_role")
    name = (name or (user.display_name if user else "")).strip()[:50]
    if not name:
        raise ValidationFailed(_("请填写姓名"), code="name_required")
    phone = pii.normalize_phone(phone) if phone else ""
    if phone and not pii.phone_is_valid(phone):
        raise ValidationFailed(_("手机号格式不正确"), code="invalid_phone")
    try:
        with transaction.atomic():
            return GridMember.objects.create(
                grid=grid, grid_path=grid.path, role=role, name=name, phone=phone, user=user, from_unit=from_unit
            )
    except IntegrityError as error:
        raise Conflict(_("该成员已在本网格服务队中"), code="member_exists") from error


@transaction.atomic
def member_remove(*, actor: User, member_id: int) -> GridMember:
    member = members_visible_to(actor).select_for_update(of=("self",)).filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    if not may_manage_team(actor, member.grid):
        raise PermissionDenied(_("您不能调整该网格的服务队"), code="not_team_manager")
    member.is_active = False
    member.save(update_fields=["is_active"])
    return member
