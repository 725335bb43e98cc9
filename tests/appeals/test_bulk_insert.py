"""core.bulk_insert: rows come back from the database exactly as the ORM would have written them (PostgreSQL:
ids drawn ahead, one statement for every model; SQLite: bulk_create)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.core import clock
from shanzhi.core.bulk_insert import bulk_insert

pytestmark = pytest.mark.django_db


def new_appeal(desk, n: int, **overrides) -> Appeal:  # type: ignore[no-untyped-def]
    values = {
        "tracking_no": f"HB20261128-9{n:05d}",
        "channel": "hotline",
        "state": "accepted",
        "title": f"标题{n}",
        "content": f"内容 {n}，含引号 \" ' 和反斜杠 \\ 与换行\n第二行",
        "category": desk.road_light,
        "citizen_name": "李四",
        "citizen_phone": "13800001234",
        "area": desk.district.grid_a,
        "area_path": desk.district.grid_a.path,
        "longitude": 106.8123456,
        "latitude": None,
        "routing_suggestions": [{"category": "010101", "score": 0.5, "why": ["路灯"]}],
        "created_by": desk.operator,
        "created_at": clock.now(),
    }
    values.update(overrides)
    return Appeal(**values)


def test_rows_round_trip_every_kind_of_value(desk):
    at = clock.now().replace(microsecond=123456)
    appeals = [new_appeal(desk, 1, created_at=at), new_appeal(desk, 2, wants_reply=False, resolved=None)]
    assignments = [
        Assignment(appeal=appeals[0], unit=desk.district.dept_urban, role="lead", round=1, dispatched_at=at, due_at=at)
    ]
    events = [
        AppealEvent(appeal=a, kind="received", to_state="received", payload={"channel": "热线", "n": i}, created_at=at)
        for i, a in enumerate(appeals)
    ]
    with transaction.atomic():
        bulk_insert(appeals, assignments, events)

    assert all(a.pk and not a._state.adding for a in appeals + assignments + events)
    assert assignments[0].appeal_id == appeals[0].pk
    stored = Appeal.objects.get(pk=appeals[0].pk)
    for field in Appeal._meta.concrete_fields:
        if field.name != "updated_at":
            assert getattr(stored, field.attname) == getattr(appeals[0], field.attname), field.name
    assert stored.created_at == at
    assert stored.updated_at is not None  # auto_now, as save() would set it
    assert stored.latitude is None and stored.longitude == pytest.approx(106.8123456)
    assert Appeal.objects.get(pk=appeals[1].pk).wants_reply is False
    assert AppealEvent.objects.get(pk=events[1].pk).payload == {"channel": "热线", "n": 1}
    assert Assignment.objects.get(pk=assignments[0].pk).due_at == at
    # The sequences moved on: a plain save after the bulk insert gets a fresh id.
    later = new_appeal(desk, 3)
    later.save()
    assert later.pk > max(a.pk for a in appeals)


def test_a_failed_insert_leaves_nothing(desk):
    first = new_appeal(desk, 1)
    with transaction.atomic():
        bulk_insert([first])
    clash = [new_appeal(desk, 2), new_appeal(desk, 1)]  # the second repeats a unique tracking number
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(clash, [AppealEvent(appeal=clash[0], kind="received", created_at=clock.now())])
    assert Appeal.objects.count() == 1
    assert AppealEvent.objects.count() == 0


def test_only_new_instances_and_saved_parents(desk):
    saved = new_appeal(desk, 1)
    saved.save()
    with pytest.raises(ValueError):
        bulk_insert([saved])
    orphan = AppealEvent(appeal=new_appeal(desk, 2), kind="received", created_at=dt.datetime.now(dt.UTC))
    with pytest.raises(ValueError), transaction.atomic():
        bulk_insert([orphan])
    bulk_insert([], [])  # nothing to do


def test_enum_members_lazy_strings_and_nested_json_are_stored_as_the_orm_would(desk):
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from shanzhi.appeals.models import AppealState, EventKind

    at = clock.now()
    appeal = new_appeal(desk, 1, state=AppealState.ACCEPTED, title=gettext_lazy("统一答复"))
    event = AppealEvent(
        appeal=appeal,
        kind=EventKind.RECEIVED,
        reason=gettext_lazy("统一答复"),
        payload={"nested": {"list": [1, 2.5, None, True, '引号"与\\']}, "empty": {}},
        created_at=at,
    )
    with translation.override("zh-hans"), transaction.atomic():  # lazy strings are stored in the active language
        bulk_insert([appeal], [event])
    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.state == "accepted" and stored.title == "统一答复"
    stored_event = AppealEvent.objects.get(pk=event.pk)
    assert stored_event.kind == "received" and stored_event.reason == "统一答复"
    assert stored_event.payload == {"nested": {"list": [1, 2.5, None, True, '引号"与\\']}, "empty": {}}


@pytest.mark.parametrize("prepare", [True, False])
def test_statements_are_prepared_once_per_connection_unless_turned_off(desk, settings, prepare):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.SHANZHI = {**settings.SHANZHI, "BULK_INSERT_PREPARE": prepare}
    for n in (1, 2, 3):
        with transaction.atomic():
            bulk_insert([new_appeal(desk, n)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO \"appeals_appeal\"%%'"
        )
        prepared = cursor.fetchone()[0]
    assert prepared == (1 if prepare else 0)
    assert Appeal.objects.count() == 3


def test_keys_set_beforehand_are_kept_and_a_group_is_all_keyed_or_none(desk, settings):
    """A caller may reserve ids itself (intake) and a UUID key comes with its default: neither is drawn again."""
    from django_tasks_db.models import DBTaskResult

    from shanzhi.core.task_rows import task_row
    from shanzhi.notifications.tasks import deliver_message

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    reserved = new_appeal(desk, 1)
    reserved.pk = 990_001
    task = task_row(deliver_message, 1)
    with transaction.atomic():
        bulk_insert([reserved], [AppealEvent(appeal=reserved, kind="received", created_at=clock.now())], [task])
    assert Appeal.objects.get(pk=990_001).tracking_no == reserved.tracking_no
    assert AppealEvent.objects.get().appeal_id == 990_001
    assert DBTaskResult.objects.get().id == task.id
    mixed = [new_appeal(desk, 2), new_appeal(desk, 3)]
    mixed[0].pk = 990_002
    with pytest.raises(ValueError):
        bulk_insert(mixed)


def test_every_group_goes_in_one_statement(desk):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement insert is PostgreSQL's")
    statements: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(" ".join(sql.split()[:4]))
        return execute(sql, params, many, context)

    appeal = new_appeal(desk, 1)
    event = AppealEvent(appeal=appeal, kind="received", created_at=clock.now())
    with transaction.atomic(), connection.execute_wrapper(count):
        bulk_insert([appeal], [event])
    assert statements[-2].startswith("SELECT ARRAY(SELECT nextval")  # the ids of both groups
    assert statements[-1].startswith("WITH g0 AS (INSERT")  # both groups
    assert AppealEvent.objects.get().appeal_id == appeal.pk
