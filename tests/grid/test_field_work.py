"""Patrols, reports and verifications through the services: stored once per key, scoped, coded refusals."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from desk import POINT_IN_A, POINT_IN_B
from django.utils import timezone
from PIL import Image

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Channel, EventKind
from shanzhi.appeals.services import appeal_reply
from shanzhi.appeals.unit_work import assignment_feedback, assignment_sign
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.grid import selectors, services
from shanzhi.grid.models import CheckIn, GridReport, Patrol, PatrolState, Verification

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#3a6ea5").save(buffer, format="PNG")
    return buffer.getvalue()


def report(field, key, now, **kw):
    values = {
        "actor": field.worker_a,
        "client_key": key(),
        "made_at": now,
        "content": "和平社区3号楼前路灯不亮",
        "category": field.road_light.code,
        "longitude": POINT_IN_A[0],
        "latitude": POINT_IN_A[1],
    }
    return services.grid_report_make(**{**values, **kw})


def fed_back(field, appeal: Appeal) -> Appeal:
    assignment = appeal.assignments.get(role="lead", round=appeal.round)
    assignment_sign(actor=field.urban_handler, assignment=assignment)
    assignment.refresh_from_db()
    assignment_feedback(actor=field.urban_handler, assignment=assignment, text="已更换灯泡", resolved=True)
    return Appeal.objects.get(pk=appeal.pk)


def test_patrol_with_check_ins_records_the_route_once_per_key(field, key, now):
    patrol_key = key()
    started = services.patrol_start(actor=field.worker_a, client_key=patrol_key, made_at=now)
    assert started.created and started.value.grid == field.district.grid_a
    again = services.patrol_start(actor=field.worker_a, client_key=patrol_key, made_at=now)
    assert not again.created and again.value.pk == started.value.pk
    first = key()
    services.patrol_check_in(
        actor=field.worker_a, client_key=first, patrol_key=patrol_key, made_at=now, longitude=106.80, latitude=39.68
    )
    services.patrol_check_in(
        actor=field.worker_a, client_key=first, patrol_key=patrol_key, made_at=now, longitude=106.80, latitude=39.68
    )
    outside = services.patrol_check_in(
        actor=field.worker_a,
        client_key=key(),
        patrol_key=patrol_key,
        made_at=now + dt.timedelta(minutes=10),
        longitude=106.85,
        latitude=39.68,
    )
    assert outside.value.inside_grid is False
    patrol = services.patrol_finish(actor=field.worker_a, patrol_key=patrol_key, made_at=now + dt.timedelta(hours=1))
    assert patrol.state == PatrolState.FINISHED
    assert patrol.checkin_count == 2 and CheckIn.objects.count() == 2
    assert 4000 < patrol.distance_m < 4600  # 0.05° of longitude at 39.68°N ≈ 4.28 km
    with pytest.raises(TransitionNotAllowed) as refused:
        services.patrol_check_in(
            actor=field.worker_a, client_key=key(), patrol_key=patrol_key, made_at=now, longitude=106.8, latitude=39.6
        )
    assert refused.value.code == "patrol_finished"


def test_a_new_patrol_finishes_the_one_left_open(field, key, now):
    old = services.patrol_start(actor=field.worker_a, client_key=key(), made_at=now - dt.timedelta(hours=3)).value
    services.patrol_start(actor=field.worker_a, client_key=key(), made_at=now)
    old.refresh_from_db()
    assert old.state == PatrolState.FINISHED and old.ended_at == now
    assert Patrol.objects.filter(state=PatrolState.ONGOING).count() == 1


def test_only_grid_workers_in_a_grid_patrol(field, key, now):
    with pytest.raises(PermissionDenied) as refused:
        services.patrol_start(actor=field.operator, client_key=key(), made_at=now)
    assert refused.value.code == "not_a_grid_worker"
    assert Patrol.objects.count() == 0


def test_bad_keys_and_times_are_refused(field, key, now):
    for client_key, made_at, code in [
        ("short", now, "invalid_client_key"),
        (key(), now + dt.timedelta(hours=3), "time_in_future"),
        (key(), now - dt.timedelta(days=8), "submission_too_old"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            services.patrol_start(actor=field.worker_a, client_key=client_key, made_at=made_at)
        assert refused.value.code == code
    assert Patrol.objects.count() == 0


def test_a_report_becomes_a_grid_appeal_dispatched_like_any_other(field, key, now):
    patrol_key = key()
    services.patrol_start(actor=field.worker_a, client_key=patrol_key, made_at=now)
    client_key = key()
    stored = report(field, lambda: client_key, now, patrol_key=patrol_key, photos=[png()])
    appeal = stored.value.appeal
    assert stored.created
    assert appeal.channel == Channel.GRID
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit == field.district.dept_urban
    assert appeal.area == field.district.grid_a
    assert appeal.attachments.count() == 1
    assert stored.value.patrol is not None and stored.value.boundary_version == 1
    again = report(field, lambda: client_key, now, patrol_key=patrol_key, photos=[png()])
    assert not again.created and again.value.appeal_id == appeal.pk
    assert Appeal.objects.count() == 1 and GridReport.objects.count() == 1
    assert appeal.attachments.count() == 1


def test_a_report_outside_the_workers_grid_is_refused_and_nothing_written(field, key, now):
    with pytest.raises(ValidationFailed) as refused:
        report(field, key, now, longitude=POINT_IN_B[0], latitude=POINT_IN_B[1])
    assert refused.value.code == "outside_your_grid"
    assert Appeal.objects.count() == 0 and GridReport.objects.count() == 0


def test_a_report_without_position_lies_in_the_workers_grid(field, key, now):
    appeal = report(field, key, now, longitude=None, latitude=None).value.appeal
    assert appeal.area == field.district.grid_a


def test_verification_passed_is_noted_and_leaves_the_list(field, key, now):
    appeal = fed_back(field, report(field, key, now).value.appeal)
    assert appeal.state == AppealState.FEEDBACK
    assert list(selectors.appeals_to_verify(field.worker_a, field.district.grid_a)) == [appeal]
    client_key = key()
    stored = services.verification_record(
        actor=field.worker_a,
        client_key=client_key,
        made_at=now,
        appeal_key=appeal.tracking_no,
        passed=True,
        photo=png(),
    )
    assert stored.created and stored.value.passed and stored.value.photo is not None
    assert stored.value.feedback_at is not None
    again = services.verification_record(
        actor=field.worker_a, client_key=client_key, made_at=now, appeal_key=appeal.tracking_no, passed=True
    )
    assert not again.created and Verification.objects.count() == 1
    assert list(selectors.appeals_to_verify(field.worker_a, field.district.grid_a)) == []
    note = AppealEvent.objects.get(appeal=appeal, kind=EventKind.NOTE)
    assert note.actor == field.worker_a and "核查通过" in note.reason
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.FEEDBACK
    with pytest.raises(TransitionNotAllowed):
        services.verification_record(
            actor=field.worker_a, client_key=key(), made_at=now, appeal_key=appeal.tracking_no, passed=True
        )


def test_failed_verification_sends_the_appeal_back(field, key, now):
    appeal = fed_back(field, report(field, key, now).value.appeal)
    with pytest.raises(ValidationFailed):
        services.verification_record(
            actor=field.worker_a, client_key=key(), made_at=now, appeal_key=appeal.tracking_no, passed=False
        )
    services.verification_record(
        actor=field.worker_a,
        client_key=key(),
        made_at=now,
        appeal_key=appeal.tracking_no,
        passed=False,
        note="灯仍然不亮",
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2
    redo = AppealEvent.objects.get(appeal=appeal, kind=EventKind.REDO)
    assert "灯仍然不亮" in redo.reason
    assert Verification.objects.get().round == 1


def test_failed_verification_after_the_reply_redoes_and_after_close_reopens(field, key, now):
    appeal = fed_back(field, report(field, key, now).value.appeal)
    appeal = appeal_reply(actor=field.operator, appeal=appeal, text="已修复")
    services.verification_record(
        actor=field.worker_a, client_key=key(), made_at=now, appeal_key=appeal.tracking_no, passed=False, note="没修好"
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED


def test_verification_before_feedback_is_refused(field, key, now):
    appeal = report(field, key, now).value.appeal
    with pytest.raises(TransitionNotAllowed) as refused:
        services.verification_record(
            actor=field.worker_a, client_key=key(), made_at=now, appeal_key=appeal.tracking_no, passed=True
        )
    assert refused.value.code == "not_verifiable"


def test_a_worker_of_another_grid_cannot_verify(field, key, now):
    appeal = fed_back(field, report(field, key, now).value.appeal)
    with pytest.raises(NotFound):
        services.verification_record(
            actor=field.worker_b, client_key=key(), made_at=now, appeal_key=appeal.tracking_no, passed=True
        )
    assert list(selectors.appeals_to_verify(field.worker_b, field.district.grid_b)) == []
    assert Verification.objects.count() == 0


def test_scoped_reads(field, key, now):
    services.patrol_start(actor=field.worker_a, client_key=key(), made_at=now)
    report(field, key, now)
    inside = [field.worker_a, field.community_head, field.town_a_handler, field.leader]
    outside = [field.worker_b, field.town_b_handler, field.urban_handler, field.housing_handler]
    for user in inside:
        assert selectors.patrols_visible_to(user).count() == 1, user
        assert selectors.reports_visible_to(user).count() == 1, user
        assert field.district.grid_a in selectors.grids_visible_to(user)
    for user in outside:
        assert selectors.patrols_visible_to(user).count() == 0, user
        assert selectors.reports_visible_to(user).count() == 0, user
        assert selectors.verifications_visible_to(user).count() == 0, user
        assert field.district.grid_a not in selectors.grids_visible_to(user)


def test_kpis(field, key, now):
    services.patrol_start(actor=field.worker_a, client_key=key(), made_at=now)
    appeal = fed_back(field, report(field, key, now).value.appeal)
    services.verification_record(
        actor=field.worker_a, client_key=key(), made_at=now, appeal_key=appeal.tracking_no, passed=True
    )
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=1)
    kpis = selectors.grid_kpis(grids=selectors.grids_visible_to(field.leader), start=start, end=end)
    assert kpis.grid_count == 2 and kpis.patrolled == 1 and kpis.coverage == 0.5
    assert kpis.reports == 1 and kpis.verified == 1 and kpis.verified_failed == 0
    mine = selectors.grid_kpis(grids=selectors.grids_visible_to(field.worker_b), start=start, end=end)
    assert mine.grid_count == 1 and mine.reports == 0 and mine.coverage == 0


def test_a_phone_time_without_offset_is_the_centres_local_time(field, key, now):
    local = timezone.localtime(now).replace(tzinfo=None)
    patrol = services.patrol_start(actor=field.worker_a, client_key=key(), made_at=local).value
    assert patrol.started_at == now


def test_the_five_step_method_follows_a_report(field, key, now, login):
    from shanzhi.grid.models import MethodStep

    assert list(MethodStep.objects.values_list("label", flat=True)) == [
        "巡查走访",
        "信息采集",
        "问题上报",
        "协调处置",
        "跟踪反馈",
    ]
    patrol_key = key()
    services.patrol_start(actor=field.worker_a, client_key=patrol_key, made_at=now)
    stored = report(field, key, now, patrol_key=patrol_key)

    def done() -> list[str]:
        [(_report, steps)] = selectors.report_progress([GridReport.objects.get(pk=stored.value.pk)])
        return [s.label for s in steps if s.done]

    assert done() == ["巡查走访", "问题上报"]
    services.patrol_check_in(
        actor=field.worker_a, client_key=key(), patrol_key=patrol_key, made_at=now, longitude=106.8, latitude=39.68
    )
    fed_back(field, stored.value.appeal)
    assert done() == ["巡查走访", "信息采集", "问题上报", "协调处置"]
    services.verification_record(
        actor=field.worker_a, client_key=key(), made_at=now, appeal_key=stored.value.appeal.tracking_no, passed=True
    )
    assert done() == ["巡查走访", "信息采集", "问题上报", "协调处置", "跟踪反馈"]
    MethodStep.objects.filter(order=2).update(label="入户走访", tracks="manual")  # the centre's own wording
    assert done() == ["巡查走访", "问题上报", "协调处置", "跟踪反馈"]
    home = login(field.worker_a).get("/m/grid/")
    assert home.status_code == 200
    assert "✓跟踪反馈" in home.content.decode() and "✓入户走访" not in home.content.decode()
