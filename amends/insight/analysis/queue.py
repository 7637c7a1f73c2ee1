"""Queue customer messages for analysis. Its own small module: intake and the lifecycle call it
inside their transactions and must not import the analysis stack (lingua, the lexicons)."""

from collections.abc import Iterable

from amends.cases.choices import MessageKind
from amends.cases.models import Message
from amends.core import clock
from amends.core.kick import drain_kick
from amends.insight.analysis.models import MessageAnalysis


def analysis_queue(messages: Iterable[Message]) -> None:
    """Queue customer messages for the drain; call inside the transaction that stores them."""
    from amends.insight.analysis.tasks import analysis_drain_task

    now = clock.now()
    rows = [
        MessageAnalysis(message_id=m.pk, case_id=m.case_id, queued_at=now)
        for m in messages
        if m is not None and m.kind == MessageKind.INBOUND
    ]
    if rows:
        MessageAnalysis.objects.bulk_create(rows)
        drain_kick(analysis_drain_task)
