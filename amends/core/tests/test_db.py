"""bulk_insert and bulk_update_by_pk write exactly what bulk_create/bulk_update would."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from amends.core.db import bulk_insert, bulk_update_by_pk
from amends.core.models import AuditEvent

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
FIELDS = ("name", "target_type", "target_id", "actor_label", "changes", "data", "created_at")


def test_bulk_insert_returns_ids_and_stores_every_type():
    rows = [("x.done", "case", n, "system", {}, {"n": n, "שם": "דנה"}, AT) for n in range(3)]
    ids = bulk_insert(AuditEvent, FIELDS, rows, returning_ids=True)
    stored = list(AuditEvent.objects.filter(pk__in=ids).order_by("target_id"))
    assert [e.target_id for e in stored] == [0, 1, 2]
    assert stored[2].data == {"n": 2, "שם": "דנה"} and stored[0].created_at == AT


def test_bulk_update_by_pk_from_plain_objects():
    ids = bulk_insert(
        AuditEvent,
        FIELDS,
        [("x.done", "case", n, "system", {}, {}, AT) for n in range(3)],
        returning_ids=True,
    )
    later = datetime(2026, 12, 1, tzinfo=UTC)
    changed = [SimpleNamespace(pk=pk, actor_label=f"a{pk}", created_at=later) for pk in ids[:2]]
    assert bulk_update_by_pk(AuditEvent, changed, ["actor_label", "created_at"]) == 2
    by_id = {e.pk: e for e in AuditEvent.objects.filter(pk__in=ids)}
    assert by_id[ids[0]].actor_label == f"a{ids[0]}" and by_id[ids[0]].created_at == later
    assert by_id[ids[2]].actor_label == "system" and by_id[ids[2]].created_at == AT


def test_empty_batches_do_nothing():
    assert bulk_insert(AuditEvent, FIELDS, []) == []
    assert bulk_update_by_pk(AuditEvent, [], ["actor_label"]) == 0


def test_bulk_create_fast_writes_what_bulk_create_would(case):
    from amends.cases.choices import MessageKind
    from amends.cases.models import Message
    from amends.core.db import bulk_create_fast

    made = bulk_create_fast(
        Message,
        [
            Message(case=case, kind=MessageKind.INBOUND, author_name="דנה", body=f"n{n}", created_at=AT)
            for n in range(3)
        ],
    )
    assert all(m.pk for m in made) and len({m.public_id for m in made}) == 3
    stored = {m.pk: m for m in Message.objects.filter(pk__in=[m.pk for m in made])}
    for m in made:
        assert stored[m.pk].body == m.body and stored[m.pk].public_id == m.public_id
        assert stored[m.pk].case_id == case.pk and stored[m.pk].author_name == "דנה"
    events = bulk_create_fast(
        AuditEvent,
        [AuditEvent(name="x", target_type="case", target_id=1, data={"a": [1, "ב"]}, created_at=AT)],
    )
    assert AuditEvent.objects.get(pk=events[0].pk).data == {"a": [1, "ב"]}
