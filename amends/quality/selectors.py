"""Reads for reviews, kudos and the per-agent figures, and who may see what.

- Leads and administrators review (`can_review`). A lead sees the staff who share a team with
  them, and themselves; an administrator sees every member of staff; an agent sees only
  themselves (`agents_visible_to`). Anyone out of sight is a 403 on the agent and review pages
  (the agent exists; what is refused is looking at them), an unknown id a 404.
- A review is seen by its agent (read-only), by its reviewer, and by the leads who see its
  agent. Kudos on a case are shown on the case to everyone who may open it (they are the
  customer's words, already on the case); the per-agent page shows only that agent's.

The per-agent figures cost a fixed number of queries whatever the data: sums in SQL grouped
by agent over the reviews, kudos, promises and the dashboard's daily rollups (reports), which
already count satisfaction, resolutions and first-response times per case owner.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.http import Http404

from amends.accounts.models import Role, Team, User
from amends.cases.choices import MessageKind
from amends.cases.models import Case, Message
from amends.cases.selectors import cases_visible_to
from amends.quality.models import MAX_POINTS, Criterion, Kudos, Review, ReviewScore, criterion_text
from amends.quality.praise import praise_words
from amends.reports.filters import ReportFilters
from amends.reports.histogram import quantile
from amends.reports.models import DailyCounts, DailyTimes, Grouping
from amends.sla.models import Commitment, CommitmentStatus


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_review(user: Any) -> bool:
    """Leads and administrators review conversations and see their teams' agents."""
    return _active(user) and user.is_lead


def _sees_all_staff(user: Any) -> bool:
    return user.role == Role.ADMIN or user.is_superuser


def agents_visible_to(user: Any) -> QuerySet[User]:
    """Staff whose reviews, kudos and figures `user` may see (the module docstring's rule)."""
    qs = User.objects.filter(is_active=True)
    if not _active(user):
        return qs.none()
    if not user.is_lead:
        return qs.filter(pk=user.pk)
    if _sees_all_staff(user):
        return qs
    return qs.filter(Q(teams__in=user.teams.values("id")) | Q(pk=user.pk)).distinct()


def agent_visible(user: Any, agent_id: int) -> bool:
    if not _active(user):
        return False
    if agent_id == user.pk or (user.is_lead and _sees_all_staff(user)):
        return True
    return user.is_lead and agents_visible_to(user).filter(pk=agent_id).exists()


def agent_get_for(*, user: Any, agent_id: int) -> User:
    """The member of staff whose page `user` asks for: unknown → 404, out of sight → 403."""
    agent = User.objects.filter(pk=agent_id).first()
    if agent is None:
        raise Http404
    if not agent_visible(user, agent.pk):
        raise PermissionDenied
    return agent


def staff_get(*, agent_id: int) -> User:
    """A member of staff by id (the services check who may do what with them); 404 if none."""
    agent = User.objects.filter(pk=agent_id).first()
    if agent is None:
        raise Http404
    return agent


def team_list_for(user: Any) -> QuerySet[Team]:
    """The teams a lead may filter on: theirs, or every team for an administrator."""
    if not can_review(user):
        return Team.objects.none()
    if _sees_all_staff(user):
        return Team.objects.order_by("name")
    return user.teams.order_by("name")


# -- the case -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyAuthor:
    """A member of staff who wrote to the customer on a case, and how often."""

    pk: int
    full_name: str
    replies: int


def case_reply_authors(*, case: Case) -> list[ReplyAuthor]:
    """Who wrote to the customer on `case` (replies, questions, the resolution), most replies
    first (one query). Internal notes and handoff summaries do not count: the customer never
    read them."""
    rows = (
        Message.objects.filter(case=case, kind=MessageKind.OUTBOUND, author__isnull=False)
        .values("author_id", "author__full_name", "author__username")
        .annotate(n=Count("id"))
        .order_by("-n", "author__full_name", "author_id")
    )
    return [
        ReplyAuthor(
            pk=r["author_id"], full_name=r["author__full_name"] or r["author__username"], replies=r["n"]
        )
        for r in rows
    ]


def default_agent(*, case: Case, authors: list[ReplyAuthor]) -> ReplyAuthor | None:
    """The agent a review of `case` is about unless the lead picks another: the case owner if
    they wrote to the customer, else whoever wrote most."""
    for author in authors:
        if author.pk == case.owner_id:
            return author
    return authors[0] if authors else None


def kudos_people(*, case: Case, authors: list[ReplyAuthor]) -> dict[int, str]:
    """Who may get kudos on `case`: whoever wrote to the customer, and the owner (id → name),
    the default first (the owner, else whoever wrote most)."""
    people = {a.pk: a.full_name for a in authors}
    if case.owner_id:
        people = {case.owner_id: case.owner.full_name, **people}
    return people


def case_conversation(*, case: Case) -> QuerySet[Message]:
    """What the customer and the staff wrote to each other, oldest first; internal notes are
    left out (they are not part of the conversation being scored)."""
    return (
        Message.objects.filter(case=case)
        .exclude(kind=MessageKind.NOTE)
        .select_related("author")
        .order_by("created_at", "id")
    )


def customer_messages(*, case: Case) -> list[Message]:
    """The customer's messages on `case`, newest first: the ones kudos may be marked on."""
    return list(Message.objects.filter(case=case, kind=MessageKind.INBOUND).order_by("-created_at", "-id"))


def message_get_for_kudos(*, case: Case, public_id: UUID | str) -> Message:
    try:
        return Message.objects.get(case=case, kind=MessageKind.INBOUND, public_id=public_id)
    except (Message.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def _authors_of(case: Case, messages: list[Message]) -> list[ReplyAuthor]:
    counts: dict[int, list] = {}
    for m in messages:
        if m.kind == MessageKind.OUTBOUND and m.author_id:
            row = counts.setdefault(m.author_id, [m.author.full_name or m.author.username, 0])
            row[1] += 1
    authors = [ReplyAuthor(pk=pk, full_name=name, replies=n) for pk, (name, n) in counts.items()]
    authors.sort(key=lambda a: (-a.replies, a.full_name, a.pk))
    return authors


@dataclass
class CasePanel:
    """What the case page's quality panel shows."""

    reviews: list[Review]
    kudos: list[Kudos]
    authors: list[ReplyAuthor]
    default_agent: ReplyAuthor | None
    people: dict[int, str]  # who may get kudos
    customer_messages: list[Message]  # newest first
    suggestions: list[tuple[Message, list[str]]]  # (message, its praise words)
    can_review: bool


SUGGESTIONS = 3


def case_panel(*, case: Case, user: Any, messages: list[Message] | None = None) -> CasePanel:
    """The panel of `case` for `user`. `messages`: the case's messages with their authors, when
    the page has them already (the desk's timeline); else read here. Two queries then (reviews,
    kudos), four without."""
    if messages is None:
        messages = list(
            Message.objects.filter(case=case).select_related("author").order_by("created_at", "id")
        )
    authors = _authors_of(case, messages)
    kudos = kudos_for_case(case=case)
    marked = {k.message_id for k in kudos if k.message_id}
    inbound = [m for m in reversed(messages) if m.kind == MessageKind.INBOUND]
    first_reply = next((m.created_at for m in messages if m.kind == MessageKind.OUTBOUND), None)
    suggestions = []
    if first_reply is not None:
        # Praise comes after an answer; a first complaint's "thanks in advance" is not kudos.
        for m in inbound:
            if m.created_at > first_reply and m.pk not in marked:
                words = praise_words(m.body)
                if words:
                    suggestions.append((m, words))
            if len(suggestions) == SUGGESTIONS:
                break
    return CasePanel(
        reviews=reviews_for_case(case=case, user=user),
        kudos=kudos,
        authors=authors,
        default_agent=default_agent(case=case, authors=authors),
        people=kudos_people(case=case, authors=authors),
        customer_messages=inbound,
        suggestions=suggestions,
        can_review=can_review(user),
    )


def _reviews() -> QuerySet[Review]:
    return Review.objects.select_related("agent", "reviewer", "case")


def reviews_for_case(*, case: Case, user: Any) -> list[Review]:
    """The reviews of `case` that `user` may see, newest first (one query)."""
    qs = _reviews().filter(case=case)
    if not can_review(user):
        qs = qs.filter(agent_id=user.pk)
    elif not _sees_all_staff(user):
        qs = qs.filter(Q(agent__in=agents_visible_to(user).values("pk")) | Q(reviewer_id=user.pk))
    return list(qs)


def kudos_for_case(*, case: Case) -> list[Kudos]:
    return list(Kudos.objects.filter(case=case).select_related("agent", "captured_by"))


def kudos_get_for(*, user: Any, public_id: UUID | str) -> Kudos:
    """Kudos on a case `user` may see (cases_visible_to); anything else → 404."""
    try:
        return Kudos.objects.select_related("case", "agent").get(
            public_id=public_id, case__in=cases_visible_to(user).order_by().values("pk")
        )
    except (Kudos.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def review_get_for(*, user: Any, public_id: UUID | str) -> Review:
    """One review: unknown → 404; another agent's, or an agent a lead does not see → 403."""
    try:
        review = _reviews().get(public_id=public_id)
    except (Review.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    if not review_visible(user, review):
        raise PermissionDenied
    return review


def review_visible(user: Any, review: Review) -> bool:
    if not _active(user):
        return False
    if user.pk in (review.agent_id, review.reviewer_id):
        return True
    return can_review(user) and agent_visible(user, review.agent_id)


def review_find(*, case: Case, agent_id: int, reviewer: Any) -> Review | None:
    """`reviewer`'s review of `agent_id` on `case`, if they wrote one."""
    return _reviews().filter(case=case, agent_id=agent_id, reviewer_id=reviewer.pk).first()


def criteria_active() -> list[Criterion]:
    return list(Criterion.objects.filter(is_active=True).order_by("position", "code"))


def review_scores(*, review: Review) -> list[ReviewScore]:
    return list(review.scores.select_related("criterion").order_by("criterion__position", "criterion__code"))


@dataclass(frozen=True)
class ReviewFilters:
    filters: ReportFilters  # the period (and nothing else of it is used)
    agent: int | None = None
    team: int | None = None


def review_list(*, user: Any, filters: ReviewFilters) -> QuerySet[Review]:
    """Reviews written in the period about agents `user` sees, newest first."""
    start, end = filters.filters.moments()
    qs = _reviews().filter(created_at__gte=start, created_at__lt=end)
    if not _sees_all_staff(user):
        qs = qs.filter(agent__in=agents_visible_to(user).values("pk"))
    if filters.agent:
        qs = qs.filter(agent_id=filters.agent)
    if filters.team:
        qs = qs.filter(agent__teams=filters.team)
    return qs.order_by("-created_at", "-id")


# -- per-agent figures ------------------------------------------------------------------------


@dataclass
class CriterionStat:
    code: str
    name: str
    applicable: int  # ratings other than "not applicable"
    points: int
    not_applicable: int

    @property
    def percent(self) -> float | None:
        return self.points * 100 / (self.applicable * MAX_POINTS) if self.applicable else None


@dataclass
class AgentFigures:
    """One agent's figures over a period (docs/subsystems/quality.md defines each)."""

    agent_id: int
    reviews: int = 0
    score: float | None = None  # average review score, %
    kudos: int = 0
    answers: int = 0  # satisfaction checks answered on cases they own
    rating: float | None = None  # average rating, 1-5
    dissatisfied: float | None = None  # share of answers: not solved, or rated 1-2
    promises: int = 0  # their promises settled in the period
    promises_kept: float | None = None  # share kept
    resolved: int = 0  # cases they own resolved in the period
    fr_median: float | None = None  # business seconds
    criteria: list[CriterionStat] = field(default_factory=list)

    @property
    def weakest(self) -> CriterionStat | None:
        """The criterion with the lowest share of points, among those rated at least once."""
        rated = [c for c in self.criteria if c.applicable]
        return min(rated, key=lambda c: (c.percent, c.name)) if rated else None


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def agent_figures(*, agent_ids: list[int], period: ReportFilters) -> dict[int, AgentFigures]:
    """The figures of several agents over `period` (its start and end only): five queries,
    whatever the number of agents, reviews or cases."""
    out = {pk: AgentFigures(agent_id=pk) for pk in agent_ids}
    if not agent_ids:
        return out
    start, end = period.moments()
    for row in (
        Review.objects.filter(agent_id__in=agent_ids, created_at__gte=start, created_at__lt=end)
        .values("agent_id")
        .annotate(n=Count("id"), avg=Avg("score"))
        .order_by()
    ):
        out[row["agent_id"]].reviews = row["n"]
        out[row["agent_id"]].score = row["avg"]
    for row in (
        Kudos.objects.filter(agent_id__in=agent_ids, created_at__gte=start, created_at__lt=end)
        .values("agent_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[row["agent_id"]].kudos = row["n"]
    for row in (
        Commitment.objects.filter(
            owner_id__in=agent_ids,
            status__in=(CommitmentStatus.KEPT, CommitmentStatus.BROKEN),
            settled_at__gte=start,
            settled_at__lt=end,
        )
        .values("owner_id")
        .annotate(n=Count("id"), kept=Count("id", filter=Q(status=CommitmentStatus.KEPT)))
        .order_by()
    ):
        figures = out[row["owner_id"]]
        figures.promises = row["n"]
        figures.promises_kept = _ratio(row["kept"], row["n"])
    in_rollups = {
        "grouping": Grouping.AGENT,
        "owner_id__in": agent_ids,
        "day__gte": period.start,
        "day__lte": period.end,
    }
    for row in (
        DailyCounts.objects.filter(**in_rollups)
        .values("owner_id")
        .annotate(
            n_resolved=Sum("resolved"),
            n_answers=Sum("answers"),
            n_rated=Sum("answers_rated"),
            n_rating=Sum("rating_sum"),
            n_dissatisfied=Sum("dissatisfied"),
        )
        .order_by()
    ):
        figures = out[row["owner_id"]]
        figures.resolved = row["n_resolved"] or 0
        figures.answers = row["n_answers"] or 0
        figures.rating = _ratio(row["n_rating"] or 0, row["n_rated"] or 0)
        figures.dissatisfied = _ratio(row["n_dissatisfied"] or 0, figures.answers)
    buckets: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        DailyTimes.objects.filter(measure="fr", **in_rollups)
        .values("owner_id", "bucket")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        buckets[row["owner_id"]][row["bucket"]] += row["n"] or 0
    for pk, counts in buckets.items():
        out[pk].fr_median = quantile(counts, 0.5)
    return out


def criterion_breakdown(*, agent_id: int, period: ReportFilters) -> list[CriterionStat]:
    """Per criterion, the points the agent's reviews in the period gave (one query). Criteria
    switched off since still count for the reviews that scored them."""
    start, end = period.moments()
    rows = (
        ReviewScore.objects.filter(
            review__agent_id=agent_id, review__created_at__gte=start, review__created_at__lt=end
        )
        .values("criterion__code", "criterion__label", "criterion__position")
        .annotate(
            n_applicable=Count("id", filter=Q(points__isnull=False)),
            n_points=Sum("points"),
            na=Count("id", filter=Q(points__isnull=True)),
        )
        .order_by("criterion__position", "criterion__code")
    )
    return [
        CriterionStat(
            code=r["criterion__code"],
            name=criterion_text(r["criterion__code"], r["criterion__label"], 0),
            applicable=r["n_applicable"],
            points=r["n_points"] or 0,
            not_applicable=r["na"],
        )
        for r in rows
    ]


@dataclass
class AgentPage:
    agent: User
    figures: AgentFigures
    reviews: list[Review]
    kudos: list[Kudos]


RECENT = 10
QUOTES = 5


def agent_page(*, agent: User, period: ReportFilters) -> AgentPage:
    """Everything on one agent's page: eight queries, whatever the data."""
    figures = agent_figures(agent_ids=[agent.pk], period=period)[agent.pk]
    figures.criteria = criterion_breakdown(agent_id=agent.pk, period=period)
    start, end = period.moments()
    reviews = list(
        _reviews()
        .filter(agent=agent, created_at__gte=start, created_at__lt=end)
        .order_by("-created_at", "-id")[:RECENT]
    )
    kudos = list(
        Kudos.objects.filter(agent=agent, created_at__gte=start, created_at__lt=end)
        .select_related("case")
        .order_by("-created_at", "-id")[:QUOTES]
    )
    return AgentPage(agent=agent, figures=figures, reviews=reviews, kudos=kudos)


def team_overview(
    *, user: Any, period: ReportFilters, team: int | None = None
) -> list[tuple[User, AgentFigures]]:
    """One row per agent `user` sees (of one team, if given), by name, with their figures:
    six queries whatever the number of agents."""
    agents = agents_visible_to(user)
    if team:
        agents = agents.filter(teams=team)
    people = list(agents.order_by("full_name", "username"))
    figures = agent_figures(agent_ids=[a.pk for a in people], period=period)
    return [(a, figures[a.pk]) for a in people]
