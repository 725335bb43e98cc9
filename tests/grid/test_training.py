"""Grid service days with attendance and the grid academy's courses with attendance and assessment, in scope."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid import teams, training
from shanzhi.grid.models import Course, ServiceDayAttendance

pytestmark = pytest.mark.django_db


def test_a_service_day_is_scheduled_and_its_attendance_recorded(field, now):
    grid = field.district.grid_a
    head = teams.member_add(actor=field.community_head, grid=grid, role="head", name="张网格长")
    police = teams.member_add(actor=field.community_head, grid=grid, role="police", name="王警官")
    day = training.service_day_schedule(
        actor=field.community_head, grid=grid, title="便民服务日", starts_at=now + dt.timedelta(days=2), place="广场"
    )
    training.service_day_record(
        actor=field.community_head,
        service_day_id=day.pk,
        attended={head.pk: True, police.pk: False},
        residents_served=45,
    )
    assert dict(ServiceDayAttendance.objects.values_list("member__role", "attended")) == {"head": True, "police": False}
    other = teams.member_add(actor=field.admin, grid=field.district.grid_b, role="head", name="赵网格长")
    with pytest.raises(ValidationFailed):
        training.service_day_record(actor=field.community_head, service_day_id=day.pk, attended={other.pk: True})
    with pytest.raises(PermissionDenied):
        training.service_day_schedule(actor=field.worker_a, grid=grid, title="x", starts_at=now)
    with pytest.raises(NotFound):
        training.service_day_schedule(actor=field.community_head, grid=field.district.grid_b, title="x", starts_at=now)
    assert training.service_days_visible_to(field.worker_a).count() == 1
    assert training.service_days_visible_to(field.worker_b).count() == 0
    assert training.service_days_visible_to(field.urban_handler).count() == 0


def test_course_attendance_and_assessment(field):
    course = Course.objects.create(title="网格员矛盾纠纷排查实务", held_on=dt.date(2026, 11, 20), hours=2)
    record = training.course_record(actor=field.admin, course=course, worker=field.worker_a, attended=True, score=85)
    assert record.passed
    again = training.course_record(actor=field.admin, course=course, worker=field.worker_a, attended=True, score=50)
    assert again.pk == record.pk and not again.passed
    for kwargs, code in [
        ({"worker": field.worker_b, "attended": False, "score": 70}, "score_without_attendance"),
        ({"worker": field.worker_b, "attended": True, "score": 120}, "invalid_score"),
        ({"worker": field.operator, "attended": True}, "not_a_grid_worker"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            training.course_record(actor=field.admin, course=course, **kwargs)
        assert refused.value.code == code
    with pytest.raises(PermissionDenied):
        training.course_record(actor=field.community_head, course=course, worker=field.worker_a, attended=True)
    assert training.course_records_visible_to(field.community_head).count() == 1
    assert training.course_records_visible_to(field.worker_b).count() == 0
    assert training.course_records_visible_to(field.leader).count() == 1


def test_the_grid_page_lists_its_service_days(field, now, login):
    grid = field.district.grid_a
    training.service_day_schedule(actor=field.community_head, grid=grid, title="便民服务日", starts_at=now)
    assert "便民服务日" in login(field.community_head).get(f"/console/grid/g/{grid.code}/").content.decode()
