"""The grid service teams (1+3+N): kept by the grid's territorial heads and administrators, read in scope, phones
masked."""

from __future__ import annotations

import pytest

from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid import rules, teams
from shanzhi.grid.models import GridMember

pytestmark = pytest.mark.django_db


def test_core_gaps():
    assert rules.team_gaps(["full_time", "other"]) == ["head", "police", "legal"]
    assert rules.team_gaps(["head", "full_time", "police", "legal", "part_time"]) == []


def test_community_head_keeps_the_team_of_their_grid(field):
    grid = field.district.grid_a
    member = teams.member_add(actor=field.community_head, grid=grid, role="police", name="王警官", phone="13912345678")
    assert member.grid_path == grid.path
    with pytest.raises(Conflict):
        teams.member_add(actor=field.community_head, grid=grid, role="police", name="王警官")
    with pytest.raises(ValidationFailed):
        teams.member_add(actor=field.community_head, grid=grid, role="chief", name="某人")
    with pytest.raises(ValidationFailed):
        teams.member_add(actor=field.community_head, grid=grid, role="legal", name="李律师", phone="12")
    with pytest.raises(PermissionDenied):
        teams.member_add(actor=field.worker_a, grid=grid, role="legal", name="李律师")
    with pytest.raises(NotFound):  # another community's grid is not there for them
        teams.member_add(actor=field.community_head, grid=field.district.grid_b, role="legal", name="李律师")
    teams.member_remove(actor=field.community_head, member_id=member.pk)
    assert not GridMember.objects.get().is_active


def test_members_are_read_in_scope_with_phones_masked(field, login):
    grid = field.district.grid_a
    teams.member_add(actor=field.admin, grid=grid, role="head", name="张网格长", phone="13912345678")
    assert teams.members_visible_to(field.worker_a).count() == 1
    assert teams.members_visible_to(field.worker_b).count() == 0
    assert teams.members_visible_to(field.urban_handler).count() == 0
    with pytest.raises(NotFound):
        teams.member_remove(actor=field.town_b_handler, member_id=GridMember.objects.get().pk)
    page = login(field.community_head).get(f"/console/grid/g/{grid.code}/")
    text = page.content.decode()
    assert page.status_code == 200 and "139****5678" in text and "13912345678" not in text
    assert "缺少：专职网格员、社区民警、法律顾问" in text
    assert login(field.worker_b).get(f"/console/grid/g/{grid.code}/").status_code == 404
    added = login(field.community_head).post(
        f"/console/grid/g/{grid.code}/members/", {"role": "legal", "name": "李律师", "phone": ""}, follow=True
    )
    assert "已加入网格服务队" in added.content.decode()
    assert GridMember.objects.filter(role="legal", grid=grid).exists()
