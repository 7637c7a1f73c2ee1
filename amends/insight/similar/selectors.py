"""Reading similar complaints: other customers' recent cases like this one, and this
customer's earlier cases about the same thing.

The desk's case page calls `similar_panel`, which costs two queries whatever the data: one for
the fingerprints (this case's, the LSH candidates' and the customer's earlier ones, as one
UNION), one for the cases to show (through `cases_visible_to`, so an agent sees only cases they
may open). docs/subsystems/similar.md explains the ranking and the thresholds.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Q

from amends.cases.models import Case
from amends.cases.selectors import cases_visible_to
from amends.insight.similar import minhash
from amends.insight.similar.models import Fingerprint, FingerprintBand

# Candidates re-ranked per lookup: those sharing the most bands with the case, the newest first
# among equals. A bound on the work when buckets are crowded; generous, because a true
# near-duplicate may share a single band with the case, like many a chance candidate.
CANDIDATES = 200
# The customer's earlier cases compared with this one, newest first.
EARLIER_CASES = 200
# What the panel loads of each case it shows.
_SHOWN_FIELDS = ("public_id", "reference", "status", "created_at", "customer_id", "category_id")


class State:
    READY = "ready"  # compared
    PENDING = "pending"  # the fingerprint is not computed yet
    TOO_SHORT = "too_short"  # too little text to compare
    UNKNOWN = "unknown"  # no fingerprint (a case older than the feature: run similar_rebuild)


@dataclass(frozen=True)
class SimilarCase:
    case: Case
    similarity: float | None  # estimated Jaccard similarity, 0..1; None: matched by category
    same_category: bool = False

    @property
    def percent(self) -> int | None:
        return None if self.similarity is None else round(self.similarity * 100)


@dataclass(frozen=True)
class SimilarPanel:
    state: str
    others: list[SimilarCase] = field(default_factory=list)  # other customers, most similar first
    before: list[SimilarCase] = field(default_factory=list)  # this customer's, newest first
    days: int = 0


def similar_cases(case: Case, *, limit: int = 5, user: Any = None) -> list[SimilarCase]:
    """The most similar recent cases of other customers, most similar first: within
    AMENDS_SIMILAR_DAYS of this case, estimated similarity ≥ AMENDS_SIMILAR_MIN_SIMILARITY.
    With a `user`, only cases they may see."""
    return similar_panel(case, limit=limit, user=user).others


def same_customer_before(case: Case, *, limit: int = 5, user: Any = None) -> list[SimilarCase]:
    """This customer's earlier cases about the same thing, newest first: similar text (estimate
    ≥ AMENDS_SIMILAR_SAME_CUSTOMER_MIN_SIMILARITY) or the same cause category."""
    return similar_panel(case, limit=limit, user=user).before


def similar_panel(case: Case, *, limit: int = 5, user: Any = None) -> SimilarPanel:
    """Both lists for one case in two queries. `user=None` means no visibility filter (for
    services and reports); interfaces pass the staff user."""
    days = settings.AMENDS_SIMILAR_DAYS
    rows = _fingerprint_rows(case, window=timedelta(days=days))
    own = next((row for row in rows if row.case_id == case.pk), None)
    others: dict[int, float] = {}
    earlier: dict[int, float] = {}
    if own is not None and own.signature is not None:
        for row in rows:
            if row.case_id == case.pk or row.signature is None:
                continue
            score = minhash.similarity(own.signature, row.signature)
            if row.customer_id != case.customer_id:
                if score >= settings.AMENDS_SIMILAR_MIN_SIMILARITY:
                    others[row.case_id] = score
            elif row.earlier and score >= settings.AMENDS_SIMILAR_SAME_CUSTOMER_MIN_SIMILARITY:
                earlier[row.case_id] = score
    shown = _cases_shown(case, user=user, ids=[*others, *earlier])
    same_category = {
        pk
        for pk, c in shown.items()
        if case.category_id
        and c.customer_id == case.customer_id
        and c.category_id == case.category_id
        and (c.created_at, pk) < (case.created_at, case.pk)
    }
    other_list = sorted(
        (SimilarCase(shown[pk], score) for pk, score in others.items() if pk in shown),
        key=lambda s: (-s.similarity, -s.case.pk),
    )
    before_list = sorted(
        (
            SimilarCase(shown[pk], earlier.get(pk), same_category=pk in same_category)
            for pk in set(earlier) | same_category
            if pk in shown
        ),
        key=lambda s: (s.case.created_at, s.case.pk),
        reverse=True,
    )
    return SimilarPanel(state=_state(own), others=other_list[:limit], before=before_list[:limit], days=days)


class _Row(NamedTuple):
    case_id: int
    customer_id: int
    signature: bytes | None
    computed: bool
    earlier: bool  # opened before the case looked up (the id breaks a tie in created_at)


def _state(own: _Row | None) -> str:
    if own is None:
        return State.UNKNOWN
    if own.signature is not None:
        return State.READY
    return State.TOO_SHORT if own.computed else State.PENDING


def _fingerprint_rows(case: Case, *, window: timedelta) -> list[_Row]:
    """One query: the fingerprints of this case, of the LSH candidates (other customers, within
    the window, most bands in common first) and of the customer's most recent cases up to it.

    Raw SQL, as the one hot statement of the lookup: built with the ORM (a UNION of two
    subqueries over the band table) it cost ~8 ms of Python per call to compile and convert,
    a third of the 30 ms target (bench/similar.py). Plain SQL that SQLite and PostgreSQL both
    run; the comparisons with this case's time are made there, so no value needs converting."""
    at = connection.ops.adapt_datetimefield_value
    created = at(case.created_at)
    columns = [created, created, case.pk]  # the "earlier" flag, in each SELECT
    params = [
        *columns,
        case.pk,
        at(case.created_at - window),
        at(case.created_at + window),
        case.customer_id,
        CANDIDATES,
        *columns,
        case.customer_id,
        created,
        EARLIER_CASES,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL, params)
        return [
            _Row(pk, customer_id, bytes(sig) if sig is not None else None, bool(computed), bool(earlier))
            for pk, customer_id, sig, computed, earlier in cursor.fetchall()
        ]


_FP, _BAND = Fingerprint._meta.db_table, FingerprintBand._meta.db_table
_COLUMNS = """f.case_id, f.customer_id, f.signature, f.computed_at IS NOT NULL,
    (f.created_at < %s OR (f.created_at = %s AND f.case_id < %s))"""
_ROWS_SQL = f"""
    SELECT {_COLUMNS} FROM {_FP} f
    WHERE f.case_id IN (
        SELECT b.fingerprint_id FROM {_BAND} b
        WHERE b.key IN (SELECT o.key FROM {_BAND} o WHERE o.fingerprint_id = %s)
          AND b.created_at >= %s AND b.created_at <= %s AND b.customer_id <> %s
        GROUP BY b.fingerprint_id
        ORDER BY COUNT(*) DESC, b.fingerprint_id DESC
        LIMIT %s)
    UNION ALL
    SELECT {_COLUMNS} FROM {_FP} f
    WHERE f.case_id IN (
        SELECT e.case_id FROM {_FP} e
        WHERE e.customer_id = %s AND e.created_at <= %s
        ORDER BY e.created_at DESC
        LIMIT %s)
"""


def _cases_shown(case: Case, *, user: Any, ids: list[int]) -> dict[int, Case]:
    """The cases the panel may show, by id: the matched ids, and this customer's other cases of
    the same category."""
    if not ids and not case.category_id:
        return {}
    wanted = Q(pk__in=ids)
    if case.category_id:
        same = Q(customer_id=case.customer_id, category_id=case.category_id)
        wanted |= same & Q(created_at__lte=case.created_at)
    base = Case.objects.all() if user is None else cases_visible_to(user)
    rows = base.select_related(None).filter(wanted).exclude(pk=case.pk).only(*_SHOWN_FIELDS)
    return {c.pk: c for c in rows}
