"""Read each customer message once, store what was found, and act on it (issue 6, points 1–3).

Messages are analysed by a drain (`analysis_drain_task`), never on the request or the mail
path: intake and replies queue them (`analysis_queue`: one INSERT of waiting rows and a kick,
inside their transaction). The drain takes waiting rows, oldest first, in batches with SKIP
LOCKED on PostgreSQL, so two workers never read the same message.

For each message: its language (lingua), its signals (the lexicon rules), a MessageAnalysis
row, then the admins' ActionRules. Each action taken is an event `insight.action` on the case
that names the rule, the signal and the words; an escalation or a priority change it causes
is recorded by the service that makes it, as usual.
"""

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.cases.choices import OPEN_STATUSES, Channel, MessageKind, Priority
from amends.cases.models import Case, Message
from amends.cases.services.lifecycle import case_assign, case_update
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError
from amends.core.kick import drain_kick_for_waiting
from amends.insight.analysis.models import Action, ActionRule, MessageAnalysis
from amends.insight.language import language_detect
from amends.insight.signals import signals_detect
from amends.reports.services.rollups import rollups_refresh
from amends.sla.models import Escalation, EscalationReason, Recipient
from amends.sla.services.escalations import escalation_raise

logger = logging.getLogger(__name__)

BATCH = 50
RETRY_AFTER = timedelta(minutes=1)
ACTION_EVENT = "insight.action"
LANGUAGE_EVENT = "insight.language_set"
# The case's language follows lingua only when it is this sure (and the language is served).
LANGUAGE_SURE = 0.8
RAISE = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.URGENT}
SIGNAL_LABELS = {
    "anger": _("anger"),
    "abuse": _("abuse or threats against staff"),
    "legal_threat": _("legal threat"),
    "churn_threat": _("threat to leave"),
    "repeat_contact": _("repeat contact"),
    "manager_request": _("asks for a manager"),
}


def analysis_retry_pending() -> int:
    """Periodic job: rows waiting longer than a minute have no drain run coming (a worker
    died, or they committed just after a run's last look): queue one. Returns how many wait."""
    from amends.insight.analysis.tasks import analysis_drain_task

    before = clock.now() - RETRY_AFTER
    pending = MessageAnalysis.objects.filter(analysed_at__isnull=True, queued_at__lt=before)
    return drain_kick_for_waiting(pending, analysis_drain_task)


def _pending() -> list[MessageAnalysis]:
    rows = (
        MessageAnalysis.objects.filter(analysed_at__isnull=True)
        .select_related("message", "case", "case__owner")
        .order_by("queued_at", "pk")
    )
    if connection.vendor == "postgresql":
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows[:BATCH])


def messages_analyse_pending(*, max_batches: int = 20) -> int:
    """The drain: analyse waiting customer messages, a batch per transaction. Returns how many."""
    done = 0
    for _batch in range(max_batches):
        with transaction.atomic():
            waiting = _pending()
            for analysis in waiting:
                try:
                    with transaction.atomic():
                        message_analyse(analysis)
                except Exception:  # one bad message must not hold back the rest
                    logger.exception("analysis of message %s failed; stored as empty", analysis.message_id)
                    _store(analysis, language=None, report=None, after_reply=False)
            done += len(waiting)
        if len(waiting) < BATCH:
            break
    return done


def message_analyse(analysis: MessageAnalysis) -> MessageAnalysis:
    """Analyse one waiting customer message, store what was found and apply the rules."""
    message = analysis.message
    guess = language_detect(message.body)
    report = signals_detect(message.body, guess.code)
    after_reply = Message.objects.filter(
        case_id=message.case_id, kind=MessageKind.OUTBOUND, created_at__lt=message.created_at
    ).exists()
    analysis = _store(analysis, language=guess, report=report, after_reply=after_reply)
    case = analysis.case
    if guess.code and guess.supported and guess.confidence >= LANGUAGE_SURE:
        _case_language_follow(case, message, guess.code)
    rules_apply(case=case, analysis=analysis, report=report)
    return analysis


def _store(analysis: MessageAnalysis, *, language, report, after_reply: bool) -> MessageAnalysis:
    analysis.signals = [
        {"kind": s.kind, "score": round(s.score, 3), "level": s.level, "spans": [list(x) for x in s.spans]}
        for s in (report or ())
    ]
    analysis.language = (language.code or "") if language else ""
    analysis.language_confidence = language.confidence if language else 0.0
    analysis.mixed = [[share.code, share.share] for share in language.mixed] if language else []
    analysis.anger_level = report.anger_level if report else 0
    analysis.after_our_reply = after_reply
    analysis.analysed_at = clock.now()
    analysis.save()
    return analysis


# Channels where the customer, not an agent, wrote the first message: an agent logging a call
# chose the language on purpose.
SELF_SERVICE = (Channel.WEB, Channel.EMAIL, Channel.API)


def _case_language_follow(case: Case, message: Message, code: str) -> None:
    """English is what intake falls back to (the English form, an API call without a language,
    a mail in Latin letters); when the first message is plainly Hebrew, Arabic or Russian, the
    case takes that language, so later mail and templates speak it. A case opened in he/ar/ru
    was asked for in that language and stays so."""
    if case.language != "en" or code == "en" or case.channel not in SELF_SERVICE:
        return
    if message.pk != _first_message_id(case):
        return
    before = case.language
    Case.objects.filter(pk=case.pk).update(language=code)
    rollups_refresh(case_ids=[case.pk])  # the dashboard counts the case under its language
    case.language = code
    record_event(
        name=LANGUAGE_EVENT,
        target=case,
        actor_label="insight",
        changes={"language": (before, code)},
    )


def _first_message_id(case: Case) -> int | None:
    return (
        Message.objects.filter(case_id=case.pk, kind=MessageKind.INBOUND)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def rules_active() -> list[ActionRule]:
    return list(ActionRule.objects.filter(is_active=True))


def rules_apply(
    *, case: Case, analysis: MessageAnalysis, report, rules: list[ActionRule] | None = None
) -> list[str]:
    """Do what the active rules say for this message; each action once per message. Returns
    the actions taken."""
    taken: list[str] = []
    for rule in rules if rules is not None else rules_active():
        signal = report.get(rule.signal) if report else None
        if signal is None or signal.level < rule.min_level:
            continue
        if rule.only_after_our_reply and not analysis.after_our_reply:
            continue
        if rule.language and rule.language != analysis.language:
            continue
        if rule.action in taken:
            continue
        words = [analysis.message.body[a:b] for a, b in signal.spans][:5]
        if _act(rule, case=case, signal=signal, words=words, analysis=analysis):
            taken.append(rule.action)
            record_event(
                name=ACTION_EVENT,
                target=case,
                actor_label="insight",
                data={
                    "action": rule.action,
                    "signal": rule.signal,
                    "level": signal.level,
                    "rule": rule.pk,
                    "words": words,
                    "message": str(analysis.message.public_id),
                },
            )
    return taken


def _reason(rule: ActionRule, signal, words: list[str]) -> str:
    label = str(SIGNAL_LABELS.get(rule.signal, rule.signal))
    quoted = ", ".join(f"“{w}”" for w in words)
    return f"{label}: {quoted}" if quoted else label


def _act(rule: ActionRule, *, case: Case, signal, words: list[str], analysis: MessageAnalysis) -> bool:
    """Take one action; False when there was nothing to do (already done, closed case)."""
    if not case.is_open:
        return False
    note = _reason(rule, signal, words)
    if rule.action == Action.RAISE_PRIORITY:
        higher = RAISE.get(case.priority)
        if higher is None:
            return False
        case_update(case=case, actor=None, priority=higher)
        return True
    if rule.action == Action.FLAG_LEAD:
        return _escalate_once(case, EscalationReason.CUSTOMER_WORDS, note)
    if rule.action == Action.MANAGER_REQUEST:
        return _escalate_once(case, EscalationReason.MANAGER_REQUESTED, note)
    if rule.action == Action.ROUTE_SENIOR:
        return _route_senior(case, note)
    return False


def _escalate_once(case: Case, reason: str, note: str) -> bool:
    """One open escalation per case and reason: a second angry line does not mail the lead again."""
    if Escalation.objects.filter(case=case, reason=reason, handled_at__isnull=True).exists():
        return False
    escalation_raise(case=case, reason=reason, recipient=Recipient.LEAD, note=note)
    return True


def senior_agent_for(case: Case) -> User | None:
    """The senior agent with the fewest open cases, in the case's team when it has one."""
    seniors = User.objects.filter(is_active=True, is_senior=True)
    if case.team_id and seniors.filter(teams=case.team_id).exists():
        seniors = seniors.filter(teams=case.team_id)
    return (
        seniors.annotate(load=Count("owned_cases", filter=Q(owned_cases__status__in=OPEN_STATUSES)))
        .order_by("load", "pk")
        .first()
    )


def _route_senior(case: Case, note: str) -> bool:
    """R-EM-3: an abusive customer goes to a senior agent. An unowned case is assigned to one;
    a case someone else owns stays with them and the lead is told, so a person decides."""
    if case.owner_id and case.owner.is_senior:
        return False
    senior = senior_agent_for(case) if not case.owner_id else None
    if senior is not None:
        try:
            case_assign(case=case, owner=senior, actor=None)
        except DomainError:  # claimed meanwhile: fall through to the lead
            pass
        else:
            return True
    return _escalate_once(case, EscalationReason.SENIOR_NEEDED, note)
