"""Screening: each new case, once its text has been fingerprinted (insight.similar), is checked
against the problems marked fixed (a recurrence) and the active incidents (a new complaint
about a known interruption). Off the request: a drain task, kicked by the periodic job
`screening_kick` whenever a recent case has not been screened.

A case is screened once (a `Screening` row marks it); the drain takes one batch at a time with
the `ScreeningRun` row locked, so two workers never screen the same case twice. A case whose
fingerprint is still pending waits, up to FINGERPRINT_WAIT; after that it is screened on its
keywords alone. docs/subsystems/learning.md explains the matching.
"""

import logging
import re
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from amends.cases.choices import MessageKind
from amends.cases.models import Case, Message
from amends.core import clock
from amends.core.kick import drain_kick
from amends.insight.similar.selectors import State, similar_panel
from amends.insight.similar.text import normalise
from amends.learning.models import (
    ACTIVE_INCIDENT_STATUSES,
    Incident,
    IncidentCase,
    LinkHow,
    Problem,
    ProblemCase,
    ProblemStatus,
    Screening,
    ScreeningRun,
)
from amends.learning.services.incidents import incident_matched_link
from amends.learning.services.problems import problem_recurrence_link

log = logging.getLogger(__name__)

# Cases received longer ago than this are not screened: screening is about new complaints.
LOOKBACK = timedelta(days=2)
# A case whose fingerprint is still pending after this is screened without similarity.
FINGERPRINT_WAIT = timedelta(minutes=10)
BATCH = 100
RUN_SECONDS = 60  # a run starts no batch after this and queues its next run
# Similar cases read per new case (others' and the customer's own, most similar first).
SIMILAR_LIMIT = 50
# Text of a case read for keywords: the subject and the first customer message, cut in the
# database like the fingerprint's.
_TEXT_CHARS = 20_000


def _unscreened(since):
    return (
        Case.objects.filter(created_at__gte=since)
        .exclude(Exists(Screening.objects.filter(case_id=OuterRef("pk"))))
        .order_by("created_at", "pk")
    )


def screening_kick() -> int:
    """Periodic job: if a case of the last LOOKBACK has not been screened, make sure a run of
    the drain is waiting. Returns 1 if there is work, else 0. Also forgets the marks of cases
    too old to be screened again (a case is screened after it arrives, so a mark older than
    twice LOOKBACK belongs to a case older than that)."""
    from amends.learning.tasks import screening_drain_task

    now = clock.now()
    Screening.objects.filter(screened_at__lt=now - 2 * LOOKBACK).delete()
    if not _unscreened(now - LOOKBACK).exists():
        return 0
    with transaction.atomic():
        drain_kick(screening_drain_task)
    return 1


def screening_run(*, max_batches: int | None = None) -> int:
    """The drain: screen every unscreened case of the last LOOKBACK whose fingerprint is ready
    (or has waited long enough), BATCH per transaction; returns how many it screened."""
    from amends.learning.tasks import screening_drain_task

    began = time.monotonic()
    screened = batches = 0
    after: tuple = ()  # (created_at, pk) of the last case looked at: waiting ones are passed by
    while True:
        with transaction.atomic():
            ScreeningRun.objects.get_or_create(pk=1)
            run = ScreeningRun.objects.select_for_update(skip_locked=True).filter(pk=1).first()
            if run is None:
                return screened  # another worker is screening; it queues its own next run
            now = clock.now()
            candidates = _unscreened(now - LOOKBACK).select_related("customer")
            if after:
                candidates = candidates.filter(
                    Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1])
                )
            batch = list(candidates[:BATCH])
            if not batch:
                return screened
            after = (batch[-1].created_at, batch[-1].pk)
            screened += _screen_batch(batch, now=now)
            ScreeningRun.objects.filter(pk=run.pk).update(last_run_at=now)
        batches += 1
        if len(batch) < BATCH:
            return screened
        if (max_batches is not None and batches >= max_batches) or time.monotonic() - began > RUN_SECONDS:
            with transaction.atomic():
                drain_kick(screening_drain_task)
            return screened


def _screen_batch(cases: list[Case], *, now) -> int:
    incidents = list(
        Incident.objects.filter(status__in=ACTIVE_INCIDENT_STATUSES).order_by("started_at", "pk")
    )
    keywords = {incident.pk: _keyword_patterns(incident.keyword_list) for incident in incidents}
    texts = _texts([c.pk for c in cases]) if any(keywords.values()) else {}
    fixed_exist = Problem.objects.filter(status=ProblemStatus.FIXED).exists()
    done = []
    for case in cases:
        panel = similar_panel(case, limit=SIMILAR_LIMIT) if (incidents or fixed_exist) else None
        if panel is not None and panel.state == State.PENDING and now - case.created_at < FINGERPRINT_WAIT:
            continue  # the fingerprint drain has not read it yet: next time
        matches: dict[int, float] = {}
        if panel is not None:
            for similar in (*panel.others, *panel.before):
                if similar.similarity is not None:
                    matches[similar.case.pk] = max(similar.similarity, matches.get(similar.case.pk, 0.0))
        try:
            with transaction.atomic():  # a case that fails is logged and not tried again
                if fixed_exist and matches:
                    _recurrences(case, matches)
                if incidents:
                    _incidents(case, matches, incidents, keywords, texts.get(case.pk, ""))
        except Exception:
            log.exception("learning: screening case %s failed", case.pk)
        done.append(Screening(case=case, screened_at=now))
    Screening.objects.bulk_create(done, ignore_conflicts=True)
    return len(done)


def _recurrences(case: Case, matches: dict[int, float]) -> None:
    """Link the case as a recurrence to every fixed problem one of its similar cases is on."""
    best: dict[int, float] = {}
    links = ProblemCase.objects.filter(
        case_id__in=list(matches), problem__status=ProblemStatus.FIXED, problem__fixed_at__lt=case.created_at
    ).values_list("problem_id", "case_id")
    for problem_id, case_id in links:
        best[problem_id] = max(best.get(problem_id, 0.0), matches[case_id])
    if not best:
        return
    already = set(ProblemCase.objects.filter(case=case).values_list("problem_id", flat=True))
    for problem in Problem.objects.filter(pk__in=set(best) - already).order_by("pk"):
        problem_recurrence_link(problem=problem, case=case, similarity=best[problem.pk])


def _incidents(
    case: Case,
    matches: dict[int, float],
    incidents: list[Incident],
    keywords: dict[int, list[re.Pattern]],
    text: str,
) -> None:
    """Link the case to each active incident it is about: like a case already on it, or its
    keywords in the text (within the incident's channel and product, when set)."""
    started = [i for i in incidents if i.started_at <= case.created_at]
    if not started:
        return
    by_similarity = set()
    if matches:
        by_similarity = set(
            IncidentCase.objects.filter(
                case_id__in=list(matches), incident_id__in=[i.pk for i in started]
            ).values_list("incident_id", flat=True)
        )
    words = " " + " ".join(normalise(text)) + " " if text else ""
    for incident in started:
        if incident.pk in by_similarity:
            incident_matched_link(incident=incident, case=case, how=LinkHow.MATCHED_SIMILAR)
        elif words and _keyword_match(incident, case, keywords[incident.pk], words):
            incident_matched_link(incident=incident, case=case, how=LinkHow.MATCHED_KEYWORD)


def _keyword_match(incident: Incident, case: Case, patterns: list[re.Pattern], words: str) -> bool:
    if not patterns:
        return False
    if incident.channel and case.channel != incident.channel:
        return False
    if incident.product and case.product and case.product.casefold() != incident.product.casefold():
        return False
    return any(p.search(words) for p in patterns)


# A keyword matches a whole word of the text, folded like the similarity's words, with a
# Hebrew or Arabic prefix before it (ו, ה, ב, ל, מ, ש, כ; و, ف, ب, ل, ك, ال) and up to three
# letters of ending after it (plurals, Russian cases): "outage" finds "outages", "сбой" finds
# "сбоя", "תקלה" finds "בתקלה", "انقطاع" finds "والانقطاع".
_PREFIX = r"(?:[והבלמשכ]{0,2}|(?:و|ف)?(?:ب|ل|ك)?(?:ال)?)"


def keyword_patterns(keywords: list[str]) -> list[re.Pattern]:
    return _keyword_patterns(keywords)


def _keyword_patterns(keywords: list[str]) -> list[re.Pattern]:
    patterns = []
    for keyword in keywords:
        words = normalise(keyword)
        if not words:
            continue
        body = r"\w{0,3} ".join(re.escape(w) for w in words)
        patterns.append(re.compile(rf" {_PREFIX}{body}\w{{0,3}} "))
    return patterns


def _texts(case_ids: list[int]) -> dict[int, str]:
    """Subject and first customer message of each case, cut to _TEXT_CHARS (one query)."""
    first_inbound = (
        Message.objects.filter(case_id=OuterRef("pk"), kind=MessageKind.INBOUND)
        .order_by("created_at", "id")
        .annotate(head=Substr("body", 1, _TEXT_CHARS))
        .values("head")[:1]
    )
    rows = (
        Case.objects.filter(pk__in=case_ids)
        .annotate(first_body=Subquery(first_inbound))
        .values_list("pk", "subject", "first_body")
    )
    return {pk: f"{subject}\n{body or ''}" for pk, subject, body in rows}
