"""Reads of stored analyses for the desk: per message for the timeline, per case for the header
and the reply coach."""

from dataclasses import dataclass

from amends.insight.analysis.models import MessageAnalysis

UPSET_KINDS = frozenset({"abuse", "legal_threat", "manager_request", "churn_threat"})


def analyses_for_case(*, case_id: int) -> dict[int, MessageAnalysis]:
    """Message id → its analysis, for the messages read so far."""
    rows = MessageAnalysis.objects.filter(case_id=case_id, analysed_at__isnull=False)
    return {row.message_id: row for row in rows}


@dataclass(frozen=True)
class CaseFeeling:
    """How the customer's latest message reads: what the agent sees at a glance."""

    anger_level: int = 0
    kinds: frozenset[str] = frozenset()

    @property
    def upset(self) -> bool:
        return self.anger_level >= 2 or bool(self.kinds & UPSET_KINDS)


def case_feeling(*, analyses: dict[int, MessageAnalysis]) -> CaseFeeling:
    if not analyses:
        return CaseFeeling()
    latest = max(analyses.values(), key=lambda a: (a.queued_at, a.message_id))
    return CaseFeeling(anger_level=latest.anger_level, kinds=frozenset(latest.kinds()))
