"""Fast inserts of new rows for hot write paths (intake; later IoT alarms and data-hub loads).

``bulk_insert(appeals, assignments, events)`` writes several lists of unsaved model instances, parents before
children, in the caller's transaction — or, outside one, as one statement that is its own transaction. On
PostgreSQL it draws the primary keys of the groups that have none from their sequences in one statement (a caller
may reserve them itself, see :func:`pk_sequence`; a UUID key with a default is kept as it is), sets them on the
instances (so the children's foreign keys resolve), then sends ONE statement for all groups:
``WITH g0 AS (INSERT … SELECT … FROM jsonb_populate_recordset(NULL::<table>, $1)), … INSERT …`` — one JSON
document per table (encoded by the C ``json`` module, parsed by PostgreSQL's C code: far cheaper than per-value
parameter adaptation in Python), prepared once per connection, none of the ORM's per-row SQL compilation. A single
statement is atomic by itself, so a caller in autocommit needs no BEGIN and COMMIT around it (Django's foreign
keys are deferred: checked at commit, the statement's own in autocommit, when every group is in). Elsewhere
(SQLite) it is ``bulk_create`` per list in a transaction. Either way the instances come back saved (``pk`` set,
``_state.adding`` false). No signals are sent, as with ``bulk_create``. See ADR 0011, 0012 and 0013.

Values are taken as the model holds them when JSON carries them as they are (str, int, bool, float, None; aware
datetimes, dates and UUIDs as their ISO text, which PostgreSQL reads back exactly); anything else (a lazy
translation string, a Decimal) goes through the field's own ``get_db_prep_save``, as the ORM would. A JSON field's
value is embedded as a JSON value, not as text.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

_DIRECT_TYPES: frozenset[type] = frozenset({str, int, bool, float, type(None)})
_ISO_TYPES: frozenset[type] = frozenset({dt.datetime, dt.date, dt.time})
_plans: dict[type[models.Model], _Plan] = {}
_sequences: dict[tuple[str, str], str] = {}
_statements: dict[tuple[str, ...], str] = {}


class _Plan:
    """A model's columns, its insert statement, and how to read each value off an instance."""

    def __init__(self, model: type[models.Model], connection: Any) -> None:
        meta = model._meta
        pk = meta.pk
        assert pk is not None
        self.table = str(meta.db_table)
        self.pk_column = pk.column
        self.fields = [f for f in meta.concrete_fields if not f.generated]
        self.columns = [str(f.column) for f in self.fields]
        self.slots = [(f.attname, str(f.column), f) for f in self.fields]
        self.json_columns = {str(f.column) for f in self.fields if f.get_internal_type() == "JSONField"}
        self.foreign_keys = [f for f in self.fields if f.many_to_one or f.one_to_one]
        self.auto_fields = [
            f for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        columns = ", ".join(_quote(c) for c in self.columns)
        # One JSON array of row objects, whatever the number of rows: the statement's text never changes, so it is
        # prepared once per connection; the row type of the table itself gives every column its type.
        self.sql = (
            f"INSERT INTO {_quote(self.table)} ({columns}) "
            f"SELECT {columns} FROM jsonb_populate_recordset(NULL::{_quote(self.table)}, %s::jsonb)"
        )

    def row(self, obj: models.Model, connection: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        data = obj.__dict__
        for attname, column, field in self.slots:
            value = data[attname] if attname in data else getattr(obj, attname)
            values[column] = value if type(value) in _DIRECT_TYPES else self._json(field, column, value, connection)
        return values

    def _json(self, field: Any, column: str, value: Any, connection: Any) -> Any:
        """A value that JSON does not carry as it is."""
        kind = type(value)
        if kind in _ISO_TYPES:
            return value.isoformat()
        if column in self.json_columns:
            return _json_value(field, value)
        if isinstance(value, (str, int, float)):  # enum members (TextChoices, IntegerChoices): JSON takes them
            return value
        if kind is uuid.UUID:
            return str(value)
        value = field.get_db_prep_save(value, connection)
        if type(value) in _ISO_TYPES:
            return value.isoformat()
        return value if type(value) in _DIRECT_TYPES else str(value)


def _json_value(field: Any, value: Any) -> Any:
    """A JSON field's value as a JSON value (its own encoder applied, as the ORM would)."""
    if value is None:
        return None
    encoder = getattr(field, "encoder", None)
    return json.loads(json.dumps(value, cls=encoder)) if encoder else value


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
    """Insert each group of new instances of one model, parents before children (see the module docstring).

    A group's instances either all have their primary key (reserved by the caller, or a UUID default) or none has
    (drawn here). Saved instances are refused, as are children whose parent was never saved."""
    groups = tuple(g for g in groups if g)
    if not groups:
        return
    for group in groups:
        keyed = {obj.pk is not None for obj in group}
        if any(type(obj) is not type(group[0]) or not obj._state.adding for obj in group) or len(keyed) > 1:
            raise ValueError(f"bulk_insert: {type(group[0]).__name__} takes new instances of one model only")
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            for group in groups:
                type(group[0])._default_manager.using(using).bulk_create(group)
        return
    plans = [_plan(type(group[0]), connection) for group in groups]
    with connection.cursor() as cursor:
        unkeyed = [(plan, group) for plan, group in zip(plans, groups, strict=True) if group[0].pk is None]
        if unkeyed:
            ids = _sequence_values(cursor, [(_sequence(cursor, using, plan), len(group)) for plan, group in unkeyed])
            for (_, group), group_ids in zip(unkeyed, ids, strict=True):
                for obj, pk in zip(group, group_ids, strict=True):
                    obj.pk = pk
        documents = []
        for group, plan in zip(groups, plans, strict=True):
            _prepare(group, plan)
            documents.append(json.dumps([plan.row(obj, connection) for obj in group], ensure_ascii=False))
        execute_bound(cursor, _statement(plans), documents, prepare=True)
        for group in groups:
            for obj in group:
                obj._state.adding = False
                obj._state.db = using


def _statement(plans: list[_Plan]) -> str:
    """One INSERT per plan: the last one the statement itself, the others data-modifying WITH queries (each runs
    once and to completion; their order does not matter to foreign keys, which are checked at commit)."""
    key = tuple(plan.table for plan in plans)
    sql = _statements.get(key)
    if sql is None:
        parts = [f"g{n} AS ({plan.sql})" for n, plan in enumerate(plans[:-1])]
        sql = _statements[key] = (f"WITH {', '.join(parts)} " if parts else "") + plans[-1].sql
    return sql


def _sequence_values(cursor: Any, wanted: Sequence[tuple[str, int]]) -> list[list[int]]:
    """``count`` values from each named sequence, in one statement (one ascending list per sequence)."""
    if not wanted:
        return []
    selects = ", ".join("ARRAY(SELECT nextval(%s) FROM generate_series(1, %s))" for _ in wanted)
    params: list[Any] = [value for name, count in wanted for value in (name, count)]
    cursor.execute(f"SELECT {selects}", params)
    return [sorted(values) for values in cursor.fetchone()]


def pk_sequence(model: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> str:
    """The name of the sequence behind ``model``'s primary key (PostgreSQL), for a caller reserving ids itself."""
    connection = connections[using]
    plan = _plan(model, connection)
    name = _sequences.get((using, plan.table))
    if name is None:
        with connection.cursor() as cursor:
            name = _sequence(cursor, using, plan)
    return name


def execute_bound(cursor: Any, sql: str, params: Sequence[Any], *, prepare: bool) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``%s`` placeholders) on the connection of Django's ``cursor`` with the parameters bound on the
    server (Django binds them into the text in Python) and return its rows (none for a statement without
    ``RETURNING``). Database errors become Django's (IntegrityError, …) as with the ORM's own cursor, and the
    statement passes through the connection's execute wrappers as the ORM's do (query counting in tests, tracing);
    it does not appear in ``connection.queries``. PostgreSQL only.

    ``prepare``: parsed and planned once per connection (unless the deployment turned it off). Only for statements
    whose best plan does not depend on the size of a table: PostgreSQL keeps a generic plan made once, and a
    lookup prepared while its table was small would scan the table for ever after (no statistics change to
    invalidate it where autovacuum is off)."""
    db = cursor.db
    db.validate_no_broken_transaction()
    pg = cursor.cursor.connection
    rows: list[tuple[Any, ...]] = []

    def execute(sql: str, params: Sequence[Any], many: bool, context: dict[str, Any]) -> None:
        with psycopg.Cursor(pg) as raw:
            raw.execute(sql, params, prepare=prepare and _prepare_statements(pg))
            if raw.description is not None:
                rows.extend(raw.fetchall())

    executor = execute
    for wrapper in reversed(db.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    with db.wrap_database_errors:
        executor(sql, params, False, {"connection": db, "cursor": cursor})
    return rows


def _prepare_statements(pg: psycopg.Connection) -> bool:
    """Prepare the inserts on the server (parsed and planned once per connection) unless the deployment turned it
    off (``SHANZHI["BULK_INSERT_PREPARE"] = False``, e.g. behind a pooler without prepared-statement support).
    Django disables psycopg's automatic preparation, which affects only server-bound cursors like this one; the
    ORM's own queries are bound client-side and never prepared."""
    if not getattr(settings, "SHANZHI", {}).get("BULK_INSERT_PREPARE", True):
        return False
    if pg.prepare_threshold is None:
        pg.prepare_threshold = 5
    return True


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
