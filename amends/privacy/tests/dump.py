"""Every stored value of every table, for tests that look for a string anywhere."""

from django.db import connection


def database_text() -> dict[str, list[str]]:
    """Each table's values as text, read with plain SQL so no model, field or table is left
    out (Django's own tables, the task queue, the admin history included)."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # names from the schema
            found[table] = [_text(value) for row in cursor.fetchall() for value in row if value is not None]
    return found


def _text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def tables_containing(strings: list[str]) -> dict[str, list[str]]:
    """{table: [the strings found in it]}, ignoring case."""
    wanted = [s.lower() for s in strings]
    hits: dict[str, list[str]] = {}
    for table, values in database_text().items():
        blob = "\n".join(values).lower()
        found = [s for s in wanted if s in blob]
        if found:
            hits[table] = found
    return hits
