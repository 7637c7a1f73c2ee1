"""Cause category suggestions: queued at intake, computed by a drain, settled by agents, and
learned from by a periodic retraining (docs/subsystems/suggest.md).

The flow: `cases_open` calls `queue.suggestions_queue`, which writes a pending Suggestion per new case
in the intake's transaction and kicks the drain; the worker's drain suggests a category for
each with the current model. On the case page the agent confirms the suggestion
(`suggestion_confirm`) or picks another category in the triage form (`case_triage_update`); a
periodic job queues `suggester_train` when agents have settled new labels since the last model.
"""

import logging
import threading
import time
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from amends.cases.choices import MessageKind
from amends.cases.models import Case, Category, Message
from amends.cases.services import lifecycle
from amends.core import clock
from amends.core.audit import record_event
from amends.core.db import bulk_update_by_pk
from amends.core.errors import DomainError
from amends.core.kick import drain_in_batches, drain_kick, drain_kick_for_waiting
from amends.insight.suggest import classifier, events
from amends.insight.suggest.models import Outcome, SuggesterModel, Suggestion

log = logging.getLogger(__name__)

# A drain run stops starting batches after this long and queues its next run (the task lease
# is 300 s; docs/subsystems/tasks.md).
RUN_SECONDS = 60
# Pending suggestions older than this mean no drain run is coming for them.
RETRY_AFTER = timedelta(minutes=1)
# Text read per case in SQL, so a 1 MB message is not fetched whole; classifier.case_text cuts
# what is analysed to classifier.MAX_CHARS after quoted history is dropped.
_TEXT_CHARS = 20_000
# Texts of training labels read per query.
_LABEL_CHUNK = 1000
# Trained models kept in the database (the newest is used; older ones are for comparison).
KEEP_MODELS = 3


# --- Intake and the drain -----------------------------------------------------------------


def suggestions_compute_pending(*, max_batches: int | None = None) -> int:
    """The drain: suggest a category for every pending case, oldest first,
    AMENDS_SUGGEST_BATCH per transaction; returns how many. Rows another worker holds are
    skipped. After `max_batches` (or RUN_SECONDS) it queues its own next run and returns."""
    from amends.insight.suggest.tasks import suggestions_drain_task

    return drain_in_batches(
        # oldest first, by the partial index suggest_pending
        Suggestion.objects.filter(computed_at__isnull=True).order_by("created_at"),
        columns=("case_id",),
        batch=settings.AMENDS_SUGGEST_BATCH,
        compute=_compute,
        task=suggestions_drain_task,
        run_seconds=RUN_SECONDS,
        max_batches=max_batches,
    )


def suggestions_retry_pending() -> int:
    """Periodic job: pending suggestions older than RETRY_AFTER have no drain run coming (a
    worker died, or they committed just after a run's last look): queue one. Returns how many
    are waiting."""
    from amends.insight.suggest.tasks import suggestions_drain_task

    pending = Suggestion.objects.filter(computed_at__isnull=True, created_at__lt=clock.now() - RETRY_AFTER)
    return drain_kick_for_waiting(pending, suggestions_drain_task)


def suggest_text(text: str) -> classifier.Prediction:
    """The suggestion for one text with the current model, among the active categories (the
    evaluation and the bench call this; cases go through the drain)."""
    _version, model = suggester_current()
    return classifier.predict(model, [text], allowed=_active_codes())[0]


def _compute(case_ids: list[int]) -> int:
    """Suggestions for these claimed cases, in the caller's transaction."""
    texts = _case_texts(case_ids)
    version, model = suggester_current()
    active = dict(Category.objects.filter(is_active=True).values_list("code", "pk"))
    ordered = [texts.get(case_id, "") for case_id in case_ids]
    try:
        predictions = classifier.predict(model, ordered, allowed=set(active))
    except Exception:  # a suggestion is an aid: one text that breaks the batch must not stop it
        log.exception("suggest: batch failed, suggesting one case at a time")
        predictions = [_predict_one(model, text, set(active)) for text in ordered]
    now = clock.now()
    rows = [
        Suggestion(
            case_id=case_id,
            computed_at=now,
            model_version=version,
            category_id=active.get(p.category) if p.category else None,
            confidence=p.confidence,
            runner_up_id=active.get(p.runner_up) if p.runner_up else None,
            runner_up_confidence=p.runner_up_confidence,
        )
        for case_id, p in zip(case_ids, predictions, strict=True)
    ]
    fields = ["computed_at", "model_version", "category", "confidence", "runner_up", "runner_up_confidence"]
    bulk_update_by_pk(Suggestion, rows, fields)
    return len(rows)


def _predict_one(model, text: str, allowed: set[str]) -> classifier.Prediction:
    try:
        return classifier.predict(model, [text], allowed=allowed)[0]
    except Exception:
        log.exception("suggest: no suggestion for one text")
        return classifier.NO_PREDICTION


def _active_codes() -> set[str]:
    return set(Category.objects.filter(is_active=True).values_list("code", flat=True))


def _case_texts(case_ids: list[int]) -> dict[int, str]:
    """classifier.case_text of each case: its subject and first customer message."""
    return {pk: text for pk, (_language, text) in _case_texts_and_languages(case_ids).items()}


def _case_texts_and_languages(case_ids: list[int]) -> dict[int, tuple[str, str]]:
    first_inbound = (
        Message.objects.filter(case_id=OuterRef("pk"), kind=MessageKind.INBOUND)
        .order_by("created_at", "id")
        .annotate(head=Substr("body", 1, _TEXT_CHARS))
        .values("head")[:1]
    )
    rows = (
        Case.objects.filter(pk__in=case_ids)
        .annotate(first_body=Subquery(first_inbound))
        .values_list("pk", "language", "subject", "first_body")
    )
    return {pk: (language, classifier.case_text(subject, body or "")) for pk, language, subject, body in rows}


# --- The current model, loaded once per process -------------------------------------------

_lock = threading.Lock()
_current: tuple[str, Any] | None = None


def suggester_current() -> tuple[str, Any]:
    """(version, model): the newest SuggesterModel row this code can load, or, while there is
    none, the model trained from the seed set in this process. One small query per call tells
    whether a worker trained a newer model since; the pickle is loaded only then."""
    global _current
    latest = (
        SuggesterModel.objects.filter(scheme=classifier.SCHEME, library_version=classifier.LIBRARY_VERSION)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    version = f"v{latest}" if latest else f"seed-{classifier.seed_digest()}"
    with _lock:
        if _current is not None and _current[0] == version:
            return _current
        model = _load(latest) if latest else None
        if model is None:
            version, model = f"seed-{classifier.seed_digest()}", _seed_model()
        _current = (version, model)
        return _current


def _load(pk: int):
    blob = SuggesterModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
    if blob is None:
        return None
    try:
        return classifier.loads(bytes(blob))
    except Exception:  # written by another version of this code: fall back, retraining replaces it
        log.exception("suggest: could not load model v%s; using the seed model", pk)
        return None


@cache
def _seed_model():
    return classifier.fit(classifier.seed_samples())


# --- Retraining ----------------------------------------------------------------------------


def suggester_retrain_if_due() -> int:
    """Periodic job: queue one training run when agents settled labels since the newest model
    (at most once per AMENDS_SUGGEST_RETRAIN_MINUTES), or when there is no model of this code's
    scheme yet. Returns 1 when it queued one."""
    if not _training_due():
        return 0
    from amends.insight.suggest.tasks import suggester_train_task

    with transaction.atomic():
        drain_kick(suggester_train_task)
    return 1


def suggester_train(*, force: bool = False) -> SuggesterModel | None:
    """Train on the seed set and the agents' labels, store the model and return its row; the
    workers' next suggestion uses it. Without `force`, only when `_training_due()` (two workers
    that both run it train twice, harmlessly: the newest row wins). None when not due."""
    if not force and not _training_due():
        return None
    began = time.monotonic()
    seeds = classifier.seed_samples()
    labels, labels_until = _label_samples()
    samples = seeds + labels
    model = classifier.fit(samples)
    folds = settings.AMENDS_SUGGEST_CV_FOLDS
    cv_accuracy, cv_samples = classifier.cross_validate(samples, folds=folds) if folds >= 2 else (None, 0)
    by_language: dict[str, int] = {}
    for sample in samples:
        by_language[sample.language] = by_language.get(sample.language, 0) + 1
    row = SuggesterModel.objects.create(
        trained_at=clock.now(),
        scheme=classifier.SCHEME,
        library_version=classifier.LIBRARY_VERSION,
        blob=classifier.dumps(model),
        classes=[str(c) for c in model.classes_],
        seed_samples=len(seeds),
        label_samples=len(labels),
        samples_by_language=by_language,
        labels_until=labels_until,
        cv_accuracy=cv_accuracy,
        cv_samples=cv_samples,
        train_seconds=round(time.monotonic() - began, 3),
    )
    stale = SuggesterModel.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_MODELS:]
    SuggesterModel.objects.filter(pk__in=list(stale)).delete()
    log.info(
        "suggest: trained %s on %d seed + %d labelled texts, cv accuracy %s",
        row.version,
        len(seeds),
        len(labels),
        cv_accuracy,
    )
    return row


def _training_due() -> bool:
    latest = (
        SuggesterModel.objects.filter(scheme=classifier.SCHEME, library_version=classifier.LIBRARY_VERSION)
        .order_by("-pk")
        .values("trained_at", "labels_until")
        .first()
    )
    if latest is None:
        return True
    newest_label = Suggestion.objects.filter(chosen__isnull=False).aggregate(at=Max("settled_at"))["at"]
    if newest_label is None:
        return False
    if latest["labels_until"] is not None and newest_label <= latest["labels_until"]:
        return False
    return latest["trained_at"] <= clock.now() - timedelta(minutes=settings.AMENDS_SUGGEST_RETRAIN_MINUTES)


def _label_samples() -> tuple[list[classifier.Sample], Any]:
    """The newest AMENDS_SUGGEST_MAX_LABELS labels agents settled, as weighted samples, and the
    newest label's time."""
    labels = list(
        Suggestion.objects.filter(chosen__isnull=False)
        .order_by("-settled_at")
        .values_list("case_id", "chosen__code", "settled_at")[: settings.AMENDS_SUGGEST_MAX_LABELS]
    )
    samples = []
    for start in range(0, len(labels), _LABEL_CHUNK):
        chunk = labels[start : start + _LABEL_CHUNK]
        texts = _case_texts_and_languages([case_id for case_id, _code, _at in chunk])
        for case_id, code, _at in chunk:
            language, text = texts.get(case_id, ("", ""))
            if classifier.has_words(text):
                samples.append(classifier.Sample(text, language, code, weight=classifier.LABEL_WEIGHT))
    return samples, (labels[0][2] if labels else None)


# --- The agent confirms or corrects ---------------------------------------------------------


@transaction.atomic
def suggestion_confirm(*, case: Case, actor: Any, category: Category) -> Case:
    """The agent's one click: set the case's category to the suggested one. `category` is the
    suggestion the agent saw; if the drain replaced it meanwhile, nothing changes."""
    suggestion = (
        Suggestion.objects.select_for_update()
        .filter(case_id=case.pk, computed_at__isnull=False, category__isnull=False)
        .first()
    )
    if suggestion is None:
        raise DomainError(_("There is no suggested category to confirm."), code="no_suggestion")
    if suggestion.category_id != category.pk:
        raise DomainError(
            _("The suggestion changed while the page was open. Look at it again."),
            code="suggestion_changed",
        )
    case = lifecycle.case_update(case=case, actor=actor, category=category)
    _settle(suggestion, case=case, actor=actor, chosen=category, how="button")
    return case


@transaction.atomic
def case_triage_update(*, case: Case, actor: Any, **fields: Any) -> Case:
    """lifecycle.case_update for the desk's triage form; when the category changes, the choice
    settles the case's suggestion (confirmed if it is the suggested one, else corrected)."""
    before = case.category_id
    case = lifecycle.case_update(case=case, actor=actor, **fields)
    if case.category_id != before:
        suggestion_settle(case=case, actor=actor, category=case.category)
    return case


def suggestion_settle(*, case: Case, actor: Any, category: Category | None) -> None:
    """Record that an agent set the case's category to `category` (None: cleared it, which
    withdraws the label). Call inside the transaction that changed the category."""
    suggestion = Suggestion.objects.select_for_update().filter(case_id=case.pk).first()
    if category is None:
        if suggestion is not None and suggestion.chosen_id is not None:
            Suggestion.objects.filter(pk=suggestion.pk).update(
                outcome=Outcome.OPEN, chosen=None, settled_by=None, settled_at=None
            )
        return
    if suggestion is None:
        # No row: the case predates the suggester. The agent's choice is still a label.
        now = clock.now()
        suggestion = Suggestion.objects.create(case_id=case.pk, created_at=now, computed_at=now)
    if suggestion.chosen_id == category.pk:
        return
    _settle(suggestion, case=case, actor=actor, chosen=category, how="form")


def _settle(suggestion: Suggestion, *, case: Case, actor: Any, chosen: Category, how: str) -> None:
    if suggestion.category_id is None:
        outcome = Outcome.LABELLED
    elif suggestion.category_id == chosen.pk:
        outcome = Outcome.CONFIRMED
    else:
        outcome = Outcome.CORRECTED
    user = actor if getattr(actor, "is_authenticated", False) else None
    Suggestion.objects.filter(pk=suggestion.pk).update(
        outcome=outcome, chosen=chosen, settled_by=user, settled_at=clock.now()
    )
    if outcome == Outcome.LABELLED:
        return  # nothing was suggested: the case's own "details changed" event says it all
    suggested = suggestion.category.code if suggestion.category else ""
    data = {
        "suggested": suggested,
        "confidence": round(suggestion.confidence or 0.0, 3),
        "model_version": suggestion.model_version,
        "how": how,
    }
    if outcome == Outcome.CONFIRMED:
        record_event(name=events.CATEGORY_CONFIRMED, target=case, actor=actor, data=data)
    else:
        # The case's own "details changed" event beside it shows the category before and after.
        data["chosen"] = chosen.code
        record_event(name=events.CATEGORY_CORRECTED, target=case, actor=actor, data=data)


def suggestions_forget(*, case_ids: list[int]) -> int:
    """Drop these cases' training labels (after the customer's erasure their words are gone:
    the next model must not learn the placeholder). The suggestions themselves stay."""
    return Suggestion.objects.filter(case_id__in=case_ids, chosen__isnull=False).update(chosen=None)
