"""Quality reviews (R-LE-5): a lead scores one agent's part in a case's conversation against
the listening checklist. Reviewing the same agent on the same case again changes the review.
Each save is an audit event on the case (`quality.reviewed`, `quality.review_updated`).

Scoring: met 2 points, partly 1, not met 0; "not applicable" leaves the criterion out. The
score is the points as a whole percentage of the points the applicable criteria could give,
and none at all when nothing applied.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amends.cases.models import Case
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError, PermissionDenied
from amends.quality import events
from amends.quality.models import MAX_POINTS, POINTS, Rating, Review, ReviewScore
from amends.quality.selectors import agent_visible, can_review, case_reply_authors, criteria_active

COMMENT_MAX = 1000


def score_of(ratings: Iterable[str]) -> tuple[int, int, int | None]:
    """(points, the most the applicable ratings could give, the score in whole %)."""
    points = possible = 0
    for rating in ratings:
        value = POINTS[Rating(rating)]
        if value is None:
            continue
        points += value
        possible += MAX_POINTS
    score = round(points * 100 / possible) if possible else None
    return points, possible, score


def _check(*, case: Case, agent: Any, reviewer: Any) -> None:
    if not can_review(reviewer):
        raise PermissionDenied(_("Only team leads and administrators review conversations."))
    if agent.pk == reviewer.pk:
        raise DomainError(_("You cannot review your own conversation."), code="own_review", field="agent")
    if not agent_visible(reviewer, agent.pk):
        raise PermissionDenied(_("You can review only the agents of your teams."))
    if agent.pk not in {a.pk for a in case_reply_authors(case=case)}:
        raise DomainError(
            _("Only someone who wrote to the customer on this case can be reviewed for it."),
            code="not_a_replier",
            field="agent",
        )


def _scores(scores: Mapping[str, tuple[str, str]]) -> list[tuple[Any, str, str]]:
    """(criterion, rating, comment) for every active criterion; a missing or unknown rating
    raises DomainError on that criterion's field."""
    out = []
    for criterion in criteria_active():
        rating, comment = scores.get(criterion.code, ("", ""))
        if rating not in Rating.values:
            raise DomainError(
                _("Rate “%(criterion)s”, or mark it not applicable.") % {"criterion": criterion.name},
                code="rating_required",
                field=f"rating_{criterion.code}",
            )
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise DomainError(
                _("A comment can be at most %(max)d characters long.") % {"max": COMMENT_MAX},
                code="comment_too_long",
                field=f"comment_{criterion.code}",
            )
        out.append((criterion, rating, comment))
    if not out:
        raise DomainError(
            _("The scorecard has no criteria: an administrator must switch some on first."),
            code="no_criteria",
        )
    return out


@transaction.atomic
def review_save(
    *,
    case: Case,
    agent: Any,
    reviewer: Any,
    scores: Mapping[str, tuple[str, str]],
    comment: str = "",
) -> Review:
    """Write `reviewer`'s review of `agent` on `case`, or change the one they wrote before.

    `scores` maps each active criterion's code to (rating, comment). The agent must have
    written to the customer on the case, and be someone the reviewer sees (their teams).
    """
    _check(case=case, agent=agent, reviewer=reviewer)
    rows = _scores(scores)
    now = clock.now()
    review = Review.objects.select_for_update().filter(case=case, agent=agent, reviewer=reviewer).first()
    created = review is None
    if created:
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    case=case, agent=agent, reviewer=reviewer, created_at=now, updated_at=now
                )
        except IntegrityError:  # the same lead saved twice at once: the first one is changed
            review = Review.objects.select_for_update().get(case=case, agent=agent, reviewer=reviewer)
            created = False
    assert review is not None
    # Criteria switched off since the review was written keep their scores.
    review.scores.filter(criterion__in=[c for c, _r, _c in rows]).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion=c, rating=r, points=POINTS[Rating(r)], comment=text)
        for c, r, text in rows
    )
    review.points, review.max_points, review.score = score_of(review.scores.values_list("rating", flat=True))
    review.comment = (comment or "").strip()
    review.updated_at = now
    review.save(update_fields=["points", "max_points", "score", "comment", "updated_at"])
    record_event(
        name=events.REVIEWED if created else events.REVIEW_UPDATED,
        target=case,
        actor=reviewer,
        data={"agent": agent.full_name, "review": str(review.public_id)},
    )
    return review
