"""Audit event names for reviews and kudos, written on the case: "<app>.<past participle>".

Their data hold no score and no quote: everyone who may open the case reads its history, and
an agent sees only their own reviews (data: `agent` the agent's name, `review`/`kudos` the
public id, `source` how the kudos came)."""

REVIEWED = "quality.reviewed"
REVIEW_UPDATED = "quality.review_updated"
KUDOS_CAPTURED = "quality.kudos_captured"
KUDOS_REMOVED = "quality.kudos_removed"
