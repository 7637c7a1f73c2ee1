"""Reviews: the score maths (not applicable left out), one review per case, agent and
reviewer, who may review whom, and the audit event on the case."""

import pytest

from amends.cases.selectors import case_events
from amends.core.errors import DomainError, PermissionDenied
from amends.quality import events
from amends.quality.models import Criterion, Review
from amends.quality.selectors import case_reply_authors, default_agent, review_scores
from amends.quality.services.reviews import review_save, score_of
from amends.quality.tests.conftest import ALL_MET


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        (["met"] * 7, (14, 14, 100)),
        (["met", "partly", "not_met"], (3, 6, 50)),
        (["met", "partly", "na", "na"], (3, 4, 75)),
        (["partly", "partly", "met"], (4, 6, 67)),  # 66.7 rounds up
        (["not_met", "na"], (0, 2, 0)),
        (["na", "na"], (0, 0, None)),
        ([], (0, 0, None)),
    ],
)
def test_the_score_is_the_share_of_the_applicable_points(ratings, expected):
    assert score_of(ratings) == expected


def test_a_lead_reviews_an_agent_and_the_case_history_says_so(conversation, lead, agent):
    # given
    case = conversation["case"]
    scores = {
        **ALL_MET,
        "admits_errors": ("partly", "Apologised, but for the wrong thing."),
        "listens": ("na", ""),
    }
    # when
    review = review_save(case=case, agent=agent, reviewer=lead, scores=scores, comment="Warm and clear.")
    # then: six applicable criteria, 11 of 12 points
    assert (review.points, review.max_points, review.score) == (11, 12, 92)
    assert review.comment == "Warm and clear."
    saved = {s.criterion.code: (s.rating, s.points, s.comment) for s in review_scores(review=review)}
    assert saved["admits_errors"] == ("partly", 1, "Apologised, but for the wrong thing.")
    assert saved["listens"] == ("na", None, "")
    event = case_events(case=case).get(name=events.REVIEWED)
    assert event.actor == lead
    assert event.data == {"agent": agent.full_name, "review": str(review.public_id)}
    assert "score" not in event.data  # everyone on the case reads its history


def test_reviewing_again_changes_the_same_review(conversation, lead, agent):
    case = conversation["case"]
    first = review_save(case=case, agent=agent, reviewer=lead, scores=ALL_MET)
    # when the lead reviews the same agent on the same case again
    second = review_save(
        case=case, agent=agent, reviewer=lead, scores={**ALL_MET, "listens": ("not_met", "")}
    )
    # then
    assert second.pk == first.pk
    assert Review.objects.count() == 1
    assert second.score == round(12 * 100 / 14)
    assert case_events(case=case).filter(name=events.REVIEW_UPDATED).count() == 1


def test_a_criterion_switched_off_keeps_its_score_in_old_reviews(conversation, lead, agent):
    case = conversation["case"]
    review_save(case=case, agent=agent, reviewer=lead, scores={**ALL_MET, "listens": ("not_met", "")})
    Criterion.objects.filter(code="listens").update(is_active=False)
    # when the review is changed without that criterion
    review = review_save(case=case, agent=agent, reviewer=lead, scores=ALL_MET)
    # then its old score still counts
    assert {s.criterion.code: s.rating for s in review_scores(review=review)}["listens"] == "not_met"
    assert review.score == round(12 * 100 / 14)


def test_every_criterion_needs_a_rating(conversation, lead, agent):
    scores = dict(ALL_MET)
    del scores["builds_rapport"]
    with pytest.raises(DomainError) as caught:
        review_save(case=conversation["case"], agent=agent, reviewer=lead, scores=scores)
    assert caught.value.code == "rating_required"
    assert caught.value.field == "rating_builds_rapport"
    assert "Builds rapport" in str(caught.value)
    with pytest.raises(DomainError):
        review_save(
            case=conversation["case"],
            agent=agent,
            reviewer=lead,
            scores={**ALL_MET, "listens": ("great", "")},
        )
    assert not Review.objects.exists()


def test_agents_do_not_review(conversation, agent, other_agent):
    with pytest.raises(PermissionDenied):
        review_save(case=conversation["case"], agent=other_agent, reviewer=agent, scores=ALL_MET)


def test_nobody_reviews_their_own_conversation(conversation, lead, agent):
    from amends.cases.services import lifecycle

    case = conversation["case"]
    lifecycle.case_reply(case=case, actor=lead, body="I am the team lead; I will follow this up.")
    with pytest.raises(DomainError) as caught:
        review_save(case=case, agent=lead, reviewer=lead, scores=ALL_MET)
    assert caught.value.code == "own_review"


def test_only_someone_who_wrote_to_the_customer_is_reviewed(conversation, lead, make_agent):
    bystander = make_agent("Never Wrote")
    with pytest.raises(DomainError) as caught:
        review_save(case=conversation["case"], agent=bystander, reviewer=lead, scores=ALL_MET)
    assert caught.value.code == "not_a_replier"


def test_a_lead_reviews_only_the_agents_of_their_teams(conversation, agent, outsider, admin_user):
    with pytest.raises(PermissionDenied):
        review_save(case=conversation["case"], agent=agent, reviewer=outsider["lead"], scores=ALL_MET)
    # an administrator reviews anyone
    assert (
        review_save(case=conversation["case"], agent=agent, reviewer=admin_user, scores=ALL_MET).score == 100
    )


def test_the_agent_reviewed_is_the_owner_or_whoever_wrote_most(conversation, agent, other_agent):
    case = conversation["case"]
    authors = case_reply_authors(case=case)
    assert [(a.pk, a.replies) for a in authors] == [(agent.pk, 2), (other_agent.pk, 1)]
    assert default_agent(case=case, authors=authors).pk == agent.pk  # the owner
    case.owner_id = other_agent.pk
    assert default_agent(case=case, authors=authors).pk == other_agent.pk  # the owner again
    case.owner_id = None
    assert default_agent(case=case, authors=authors).pk == agent.pk  # most replies


def test_a_criterion_an_administrator_wrote_is_shown_as_written(db):
    from django.utils import translation

    built_in = Criterion.objects.get(code="listens")
    custom = Criterion.objects.create(code="uses_name", label="Uses the customer's name", position=5)
    with translation.override("he"):
        assert custom.name == "Uses the customer's name"
        assert built_in.hint_text  # the seeded hint is there
    built_in.label = "Lets the customer finish"
    assert built_in.name == "Lets the customer finish"


def test_the_listening_checklist_is_seeded_in_order(db):
    assert list(Criterion.objects.filter(is_active=True).values_list("code", flat=True)) == list(ALL_MET)
