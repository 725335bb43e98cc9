"""Fast inserts of new rows for hot write paths (intake; later IoT alarms and data-hub loads).

``bulk_insert(appeals, assignments, events)`` writes several lists of unsaved model instances, in the order given,
in the caller's transaction. On PostgreSQL it draws the primary keys of all of them from their sequences in one
statement, sets them on the instances (so the children's foreign keys resolve), then sends one
``INSERT … SELECT * FROM unnest(<one array per column>)`` per list, all in one pipeline: two round trips in all,
binary parameters bound on the server, and none of the ORM's per-row SQL compilation. Elsewhere (SQLite) it is
``bulk_create`` per list. Either way the instances come back saved (``pk`` set, ``_state.adding``
false). No signals are sent, as with ``bulk_create``. See ADR 0011.

Values are taken as the model holds them when their Python type is one PostgreSQL takes directly (the common
case: str, int, bool, float, aware datetimes, dates, UUIDs, None); anything else (a JSON field, a lazy translation
string, a Decimal) goes through the field's own ``get_db_prep_save``, exactly as the ORM would.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, models

_DIRECT_TYPES: frozenset[type] = frozenset({str, int, bool, float, dt.datetime, dt.date, uuid.UUID, type(None)})
_plans: dict[type[models.Model], _Plan] = {}
_sequences: dict[tuple[str, str], str] = {}


class _Plan:
    """A model's columns for COPY and how to read each value off an instance."""

    def __init__(self, model: type[models.Model], connection: Any) -> None:
        meta = model._meta
        pk = meta.pk
        assert pk is not None
        self.table = str(meta.db_table)
        self.pk_column = pk.column
        self.fields = [f for f in meta.concrete_fields if not f.generated]
        self.foreign_keys = [f for f in self.fields if f.many_to_one or f.one_to_one]
        self.auto_fields = [
            f for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        columns = ", ".join(_quote(str(f.column)) for f in self.fields)
        # One array per column, whatever the number of rows: the statement's text never changes, so psycopg parses
        # it once, and it stays far below PostgreSQL's limit on parameters.
        arrays = ", ".join(f"%b::{f.db_type(connection)}[]" for f in self.fields)
        self.sql = f"INSERT INTO {_quote(self.table)} ({columns}) SELECT * FROM unnest({arrays})"

    def row(self, obj: models.Model, connection: Any) -> tuple:
        values = []
        for field in self.fields:
            value = getattr(obj, field.attname)
            if type(value) not in _DIRECT_TYPES or field.get_internal_type() == "JSONField":
                value = field.get_db_prep_save(value, connection)
            values.append(value)
        return tuple(values)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plan(model: type[models.Model], connection: Any) -> _Plan:
    plan = _plans.get(model)
    if plan is None:
        plan = _plans[model] = _Plan(model, connection)
    return plan


def _prepare(objs: Sequence[models.Model], plan: _Plan) -> None:
    """What ``save()`` does before writing: auto_now stamps, and foreign keys from related instances saved since
    they were assigned (raises ValueError for an unsaved one, as the ORM does)."""
    for obj in objs:
        for field in plan.auto_fields:
            field.pre_save(obj, True)
        for field in plan.foreign_keys:
            if getattr(obj, field.attname) is None and field.is_cached(obj):  # type: ignore[attr-defined]
                related = field.get_cached_value(obj)  # type: ignore[attr-defined]
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"bulk_insert: {plan.table}.{field.name} refers to an unsaved object")
                    setattr(obj, field.attname, related.pk)


def bulk_insert(*groups: Sequence[models.Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert each group of new instances of one model, parents before children (see the module docstring)."""
    groups = tuple(g for g in groups if g)
    if not groups:
        return
    for group in groups:
        if any(type(obj) is not type(group[0]) or obj.pk is not None for obj in group):
            raise ValueError(f"bulk_insert: {type(group[0]).__name__} takes new instances of one model only")
    connection = connections[using]
    if connection.vendor != "postgresql":
        for group in groups:
            type(group[0])._default_manager.using(using).bulk_create(group)
        return
    plans = [_plan(type(group[0]), connection) for group in groups]
    with connection.cursor() as cursor:
        ids = _allocate_ids(cursor, using, [(plan, len(group)) for plan, group in zip(plans, groups, strict=True)])
        for group, group_ids in zip(groups, ids, strict=True):
            for obj, pk in zip(group, sorted(group_ids), strict=True):
                obj.pk = pk
        # A cursor binding parameters on the server (Django's binds them into the text in Python), and all the
        # inserts sent in one pipeline: one round trip for every group.
        # Errors are turned into Django's (IntegrityError, …) as the ORM's own cursor does.
        raw = psycopg.Cursor(cursor.cursor.connection)
        with connection.wrap_database_errors, cursor.cursor.connection.pipeline():
            for group, plan in zip(groups, plans, strict=True):
                _prepare(group, plan)
                columns = zip(*(plan.row(obj, connection) for obj in group), strict=True)
                raw.execute(plan.sql, [list(values) for values in columns])
        for group in groups:
            for obj in group:
                obj._state.adding = False
                obj._state.db = using


def _allocate_ids(cursor: Any, using: str, wanted: list[tuple[_Plan, int]]) -> list[list[int]]:
    """Primary keys for every group from their tables' sequences, in one statement (one array per group)."""
    names = [_sequence(cursor, using, plan) for plan, _ in wanted]
    selects = ", ".join("ARRAY(SELECT nextval(%s) FROM generate_series(1, %s))" for _ in wanted)
    params: list[Any] = []
    for name, (_, count) in zip(names, wanted, strict=True):
        params += [name, count]
    cursor.execute(f"SELECT {selects}", params)
    return [list(values) for values in cursor.fetchone()]


def _sequence(cursor: Any, using: str, plan: _Plan) -> str:
    key = (using, plan.table)
    name = _sequences.get(key)
    if name is None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_quote(plan.table), plan.pk_column])
        name = cursor.fetchone()[0]
        if name is None:
            raise ValueError(f"bulk_insert: {plan.table}.{plan.pk_column} has no sequence")
        _sequences[key] = name
    return name
