"""Database helpers the ORM lacks."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

# Values the database driver takes as they are: no per-value trip through the field's
# get_db_prep_save (which, with the connection proxy, was most of a sweep's Python time).
_AS_IS = (models.IntegerField, models.BooleanField, models.CharField, models.TextField, models.ForeignKey)


def _prep(field: models.Field, conn) -> Callable[[Any], Any]:
    if isinstance(field, _AS_IS):
        return lambda value: value
    if isinstance(field, models.DateTimeField):  # aware datetimes go as they are; naive ones warn
        return lambda value: (
            value if value is None or value.tzinfo is not None else field.get_db_prep_save(value, conn)
        )
    return lambda value: field.get_db_prep_save(value, conn)


def bulk_update_by_pk(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """``bulk_update`` for large batches, from model instances or any objects with the same
    attribute names. On PostgreSQL one ``UPDATE … FROM unnest(arrays)``: Django's
    ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per row and field, which for 1,000 rows
    and 5 fields cost the SLA sweep ~770 ms of Python and SQL (docs/performance.md) against
    ~40 ms for this. Elsewhere one statement run for each row (``executemany``)."""
    if not objs:
        return 0
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per use
    meta, qn = model._meta, conn.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    if conn.vendor != "postgresql":
        sql = (
            f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in columns)} "
            f"WHERE {qn(meta.pk.column)} = %s"
        )
        preps = [(f.attname, _prep(f, conn)) for f in columns]
        params = [[*(prep(getattr(o, name)) for name, prep in preps), o.pk] for o in objs]
        with conn.cursor() as cursor:
            cursor.executemany(sql, params)
        return len(params)
    arrays = [[o.pk for o in objs]]
    for f in columns:
        prep, name = _prep(f, conn), f.attname
        arrays.append([prep(getattr(o, name)) for o in objs])
    # cast_db_type, not db_type: a positive integer's db_type carries its CHECK clause.
    types = [meta.pk.rel_db_type(conn)] + [f.cast_db_type(conn) for f in columns]
    assignments = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(columns, 1))
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    names = ", ".join(f"c{i}" for i in range(len(types)))
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {assignments} "
        f"FROM unnest({unnest}) AS v({names}) WHERE t.{qn(meta.pk.column)} = v.c0"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.rowcount


def bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence], *, returning_ids: bool = False
) -> list[int]:
    """Insert plain value tuples without building model instances: on PostgreSQL one
    ``INSERT … SELECT * FROM unnest(arrays)``; elsewhere ``bulk_create``. For hot paths
    (the SLA sweep writes a thousand escalations at once); nothing runs ``save()``, and no
    model default fills a column left out: list every NOT NULL column."""
    if not rows:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if conn.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**{f.attname: v for f, v in zip(columns, row, strict=True)}) for row in rows]
        )
        return [o.pk for o in objs] if returning_ids else []
    qn = conn.ops.quote_name
    arrays = []
    for i, f in enumerate(columns):
        prep = _prep(f, conn)
        arrays.append([prep(row[i]) for row in rows])
    types = [f.cast_db_type(conn) for f in columns]
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in columns)}) "
        f"SELECT * FROM unnest({', '.join(f'%s::{t}[]' for t in types)})"
        + (f" RETURNING {qn(meta.pk.column)}" if returning_ids else "")
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, arrays)
        return [r[0] for r in cursor.fetchall()] if returning_ids else []


def bulk_create_fast(model: type[models.Model], objs: list) -> list:
    """``bulk_create`` for hot paths: on PostgreSQL the objects' values go in one
    ``INSERT … SELECT unnest(arrays) RETURNING id`` (bulk_insert), where Django's bulk_create
    compiles a placeholder and a conversion per value; each object gets its primary key.
    Elsewhere Django's bulk_create. Every concrete field is written, from ``pre_save``."""
    if not objs:
        return objs
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        return model.objects.bulk_create(objs)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # saved parents' ids
        rows.append([f.pre_save(obj, True) for f in fields])
    ids = bulk_insert(model, [f.name for f in fields], rows, returning_ids=True)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
    return objs
