"""``shanzhi demo``: the model district with staff and appeals in every state, made through the services."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from shapely.geometry import box

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Assignment, AssignmentRequest, RejectReason
from shanzhi.core.errors import PermissionDenied
from shanzhi.demo import extensions
from shanzhi.demo.district import demo_load
from shanzhi.demo.plan import GridInfo, Planner, state_counts
from shanzhi.demo.staff import DEMO_PASSWORD, STAFF
from shanzhi.orgs.models import Role, Unit, User

NOW = dt.datetime(2025, 11, 20, 2, 30, tzinfo=dt.UTC)  # 10:30 at the centre
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo(db):
    return demo_load(appeals=40, seed=7, now=NOW, train_classifier=False)


def _check_log(appeal: Appeal, events: list[AppealEvent]) -> None:
    """The state changes in the log chain up, and the last one is where the appeal is now."""
    assert events, appeal.tracking_no
    assert events[0].kind == "received" and events[0].to_state == AppealState.RECEIVED
    assert events[0].created_at == appeal.created_at
    state = ""
    previous_at = None
    for event in events:
        assert previous_at is None or event.created_at >= previous_at
        previous_at = event.created_at
        if event.to_state:
            assert event.from_state == state or (not event.from_state and not state), (appeal.tracking_no, event.kind)
            state = event.to_state
    assert state == appeal.state, appeal.tracking_no


@pytest.mark.django_db
def test_demo_creates_appeals_in_every_state_with_consistent_logs(demo):
    assert demo.appeals is not None
    assert demo.appeals.failures == []
    appeals = list(Appeal.objects.all())
    assert len(appeals) == 40
    states = Counter(a.state for a in appeals)
    assert set(states) == set(AppealState.values), states
    assert states[AppealState.CLOSED] == max(states.values())

    events: dict[int, list[AppealEvent]] = {}
    for event in AppealEvent.objects.order_by("created_at", "id"):
        events.setdefault(event.appeal_id, []).append(event)
    for appeal in appeals:
        _check_log(appeal, events.get(appeal.pk, []))
        assert NOW - dt.timedelta(days=90) <= appeal.created_at <= NOW
        assert all(e.created_at <= NOW for e in events[appeal.pk])
        if appeal.state == AppealState.MERGED:
            assert appeal.master is not None and appeal.master.created_at < appeal.created_at
        if appeal.state in (AppealState.CLOSED, AppealState.REJECTED, AppealState.ANSWERED, AppealState.MERGED):
            assert appeal.closed_at is not None
        if appeal.state in (AppealState.IN_PROGRESS, AppealState.FEEDBACK, AppealState.REPLIED, AppealState.CLOSED):
            assert appeal.lead_unit is not None
            assert appeal.assignments.filter(round=appeal.round, role="lead").exists()
        if appeal.state == AppealState.CLOSED and appeal.rating:
            assert appeal.follow_ups.filter(reached=True).exists()
    # Tracking numbers follow the day of intake at the centre.
    for appeal in appeals:
        assert appeal.tracking_no.startswith(f"HB{appeal.created_at.astimezone(TZ):%Y%m%d}-")


@pytest.mark.django_db
def test_demo_appeals_have_places_people_and_a_channel_mix(demo):
    appeals = list(Appeal.objects.select_related("area"))
    located = [a for a in appeals if a.longitude is not None]
    assert len(located) >= 30
    for appeal in located:
        assert appeal.area is not None and appeal.area.kind == "grid"
        assert appeal.area_path.startswith("/150300000000/150302000000/")
    assert len({a.channel for a in appeals}) >= 4
    assert sum(1 for a in appeals if a.citizen_phone) >= 30
    assert all(a.content and a.title for a in appeals)
    # Units signed and fed back through their own staff.
    for assignment in Assignment.objects.exclude(signed_by=None).select_related("signed_by"):
        assert assignment.signed_by is not None and assignment.signed_by.unit_id == assignment.unit_id


@pytest.mark.django_db
def test_demo_staff_log_in_with_roles_and_reference_lists_exist(demo):
    for spec in STAFF:
        # django-axes counts sign-ins per address: it needs the request the sign-in came with.
        user = authenticate(RequestFactory().post("/console/login/"), username=spec.username, password=DEMO_PASSWORD)
        assert user is not None, spec.username
        assert set(spec.roles) <= set(user.role_codes)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(username="operator1").has_perm("orgs.view_personal_data")
    assert not User.objects.get(username="operator2").has_perm("orgs.view_personal_data")
    assert User.objects.filter(groups__name=Role.OPERATOR).count() == 4
    # Every unit that can receive work has somebody to sign for it.
    for unit in Unit.objects.filter(kind__in=["department", "utility", "town", "community"], is_virtual=False):
        assert unit.staff.filter(groups__name__in=[Role.HANDLER]).exists(), unit.code
    assert RejectReason.objects.filter(text="重复诉求").exists()


@pytest.mark.django_db
def test_if_empty_leaves_a_loaded_district_alone(demo):
    before = (Appeal.objects.count(), Unit.objects.count(), User.objects.count())
    again = demo_load(appeals=40, seed=7, if_empty=True, now=NOW, train_classifier=False)
    assert again.skipped
    assert (Appeal.objects.count(), Unit.objects.count(), User.objects.count()) == before
    # Without --if-empty, reference data is refreshed in place and no second batch of appeals appears.
    demo_load(appeals=40, seed=7, now=NOW, train_classifier=False)
    assert (Appeal.objects.count(), Unit.objects.count(), User.objects.count()) == before


@pytest.mark.django_db
def test_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(PermissionDenied) as error:
        demo_load(appeals=5, train_classifier=False)
    assert error.value.code == "demo_refused_in_production"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_command_output_and_if_empty(capsys):
    call_command("demo", appeals=12, seed=3, no_classifier=True)
    out = capsys.readouterr().out
    assert "演示诉求：12 件" in out and "shanzhi-demo" in out
    call_command("demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert Appeal.objects.count() == 12


def test_planner_at_full_size_covers_every_path():
    grids = [
        GridInfo(
            code=f"15030200100{i}001", community="和平社区", rural=False, geometry=box(106.8, 39.65, 106.81, 39.66)
        )
        for i in range(3)
    ] + [GridInfo(code="150302101203001", community="新地村", rural=True, geometry=box(106.8, 39.8, 106.81, 39.81))]
    plans = Planner(rng=random.Random(20251128), now=NOW, tz=TZ, grids=grids).build(400)
    assert Counter(p.target for p in plans) == Counter(state_counts(400))
    actions = Counter(step.action for p in plans for step in p.steps)
    kinds = Counter(step.args.get("kind") for p in plans for step in p.steps if step.action == "request")
    assert actions["redo"] > 0 and actions["redispatch"] > 0 and actions["unshelve"] > 0
    assert kinds["return"] > 0 and kinds["extend"] > 0 and kinds["shelve"] > 0
    assert any(s.args.get("rating") == "dissatisfied" for p in plans for s in p.steps)
    for plan in plans:
        assert plan.steps[0].at == plan.created_at
        assert all(a.at < b.at for a, b in zip(plan.steps, plan.steps[1:], strict=False))
        assert NOW - dt.timedelta(days=90) < plan.created_at and plan.steps[-1].at < NOW
    assert sum(p.channel == "hotline" for p in plans) > sum(p.channel == "letter" for p in plans)


@pytest.mark.django_db
def test_demo_requests_and_warnings_appear_at_a_moderate_size(db):
    report = demo_load(appeals=120, seed=11, now=NOW, train_classifier=False)
    assert report.appeals is not None and report.appeals.failures == []
    assert AssignmentRequest.objects.filter(kind="extend").exists()
    assert Assignment.objects.filter(round__gt=1).exists()
    assert Appeal.objects.filter(warning__in=["yellow", "red"]).exists()


@pytest.mark.django_db
def test_the_whole_demo_with_every_apps_demo_loads_and_loads_again_alike(with_app_demos):
    first = demo_load(appeals=30, seed=5, now=NOW, train_classifier=False)
    labels = [label for label, _load in extensions.app_demos()]
    assert {"grid", "datahub", "mediation", "exchange"} <= set(labels)
    counts = (Appeal.objects.count(), Unit.objects.count(), User.objects.count())
    assert counts[0] >= 30 and len(first.lines) > len(labels)  # the desk's lines and one or more per app
    demo_load(appeals=30, seed=5, now=NOW, train_classifier=False)
    assert (Appeal.objects.count(), Unit.objects.count(), User.objects.count()) == counts
