"""Updating many rows of one table with their own values in one statement (``UPDATE … FROM (VALUES …)``), on
PostgreSQL and SQLite (3.33+). Django's ``bulk_update`` builds a ``CASE`` per field and row, which cost the ingest
most of its time at a few hundred rows a batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

CHUNK = 500


def update_rows(model: type[models.Model], field_names: Sequence[str], objs: Sequence[models.Model]) -> int:
    """Write ``field_names`` of ``objs`` (saved instances) by primary key; returns the rows updated."""
    if not objs:
        return 0
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields: list[models.Field[Any, Any]] = []
    for name in field_names:
        found = meta.get_field(name)
        assert isinstance(found, models.Field)
        fields.append(found)
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    pg = connection.vendor == "postgresql"

    def slot(field: models.Field[Any, Any]) -> str:
        return f"CAST(%s AS {field.db_type(connection)})" if pg else "%s"

    row_sql = "(" + ", ".join(slot(f) for f in [pk, *fields]) + ")"
    assignments = ", ".join(f"{qn(str(f.column))} = v.column{i + 2}" for i, f in enumerate(fields))
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            params: list[Any] = []
            for obj in chunk:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                for f in fields:
                    params.append(f.get_db_prep_value(getattr(obj, f.attname), connection))
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                f"WHERE {table}.{qn(str(pk.column))} = v.column1"
            )
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated
