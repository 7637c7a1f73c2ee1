"""The desk's quality pages (R-LE-5), included under /desk/ by desk/urls.py: the Quality page
(reviews and the team overview, for leads), one page per agent, the review of a case's
conversation, and kudos from the case page. Views parse, call one service or selector and
render; cases are reached only through the cases funnels (docs/subsystems/quality.md)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_get_for_agent
from amends.core.errors import DomainError
from amends.core.errors import PermissionDenied as NotAllowed
from amends.core.forms import apply_domain_error
from amends.quality.forms import ReviewForm, kudos_form_for
from amends.quality.selectors import (
    ReviewFilters,
    agent_get_for,
    agent_page,
    agents_visible_to,
    can_review,
    case_conversation,
    case_panel,
    case_reply_authors,
    criteria_active,
    default_agent,
    kudos_get_for,
    message_get_for_kudos,
    review_find,
    review_get_for,
    review_list,
    review_scores,
    staff_get,
    team_list_for,
    team_overview,
)
from amends.quality.services.kudos import kudos_from_message, kudos_remove
from amends.quality.services.reviews import review_save
from amends.reports.filters import PERIODS, filters_from

PAGE_SIZE = 25


def lead_required(view):
    """Leads and admins only; a signed-in agent gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_review(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def quality(request: HttpRequest) -> HttpResponse:
    """Leads: recent reviews and the team overview. Agents: their own page."""
    if not can_review(request.user):
        return redirect("desk:quality-agent", agent_id=request.user.pk)
    period = filters_from(request.GET)
    filters = ReviewFilters(
        filters=period, agent=_int(request.GET.get("agent")), team=_int(request.GET.get("team"))
    )
    page = Paginator(review_list(user=request.user, filters=filters), PAGE_SIZE, allow_empty_first_page=True)
    context = {
        "period": period,
        "filters": filters,
        "periods": PERIODS,
        "page": page.get_page(request.GET.get("page")),
        "overview": team_overview(user=request.user, period=period, team=filters.team),
        "teams": team_list_for(request.user),
        "agents": agents_visible_to(request.user).order_by("full_name", "username"),
        "query": period.query(),
    }
    return render(request, "quality/quality.html", context)


@login_required
def agent_detail(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = agent_get_for(user=request.user, agent_id=agent_id)
    period = filters_from(request.GET)
    context = {
        "page": agent_page(agent=agent, period=period),
        "period": period,
        "periods": PERIODS,
        "is_self": agent.pk == request.user.pk,
        "can_review": can_review(request.user),
    }
    return render(request, "quality/agent.html", context)


@lead_required
def review_case(request: HttpRequest, public_id) -> HttpResponse:
    """Score one agent's part in a case's conversation (?agent=<id>; default: the owner if
    they wrote, else whoever wrote most). The lead's earlier review of them is changed."""
    case = case_get_for_agent(user=request.user, public_id=public_id)
    authors = case_reply_authors(case=case)
    wanted = _int(request.POST.get("agent") or request.GET.get("agent"))
    agent = next((a for a in authors if a.pk == wanted), None) or default_agent(case=case, authors=authors)
    criteria = criteria_active()
    existing = review_find(case=case, agent_id=agent.pk, reviewer=request.user) if agent else None
    form = ReviewForm(
        request.POST if request.method == "POST" else None, criteria=criteria, initial=_initial(existing)
    )
    if request.method == "POST" and agent is not None and form.is_valid():
        try:
            review = review_save(
                case=case,
                agent=staff_get(agent_id=agent.pk),
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:quality-review", public_id=review.public_id)
    context = {
        "case": case,
        "authors": authors,
        "agent": agent,
        "existing": existing,
        "form": form,
        "conversation": case_conversation(case=case),
    }
    status = 400 if form.errors or (request.method == "POST" and agent is None) else 200
    return render(request, "quality/review_form.html", context, status=status)


def _initial(review) -> dict:
    if review is None:
        return {}
    initial = {"comment": review.comment}
    for score in review_scores(review=review):
        initial[f"rating_{score.criterion.code}"] = score.rating
        initial[f"comment_{score.criterion.code}"] = score.comment
    return initial


@login_required
def review_detail(request: HttpRequest, public_id) -> HttpResponse:
    review = review_get_for(user=request.user, public_id=public_id)
    context = {
        "review": review,
        "scores": review_scores(review=review),
        "conversation": case_conversation(case=review.case),
        "can_change": review.reviewer_id == request.user.pk and can_review(request.user),
    }
    return render(request, "quality/review.html", context)


def _panel_response(request: HttpRequest, case, form=None) -> HttpResponse:
    """After a kudos change: the panel again (HTMX), the case page, or the form's errors."""
    if form is None and not request.htmx:
        return redirect(reverse("desk:case", kwargs={"public_id": case.public_id}) + "#quality")
    panel = case_panel(case=case, user=request.user)
    context = {"case": case, "panel": panel, "kudos_form": form or kudos_form_for(panel)}
    if request.htmx:
        return render(request, "quality/_case_panel.html", context)
    return render(request, "quality/kudos_page.html", context, status=400)


@login_required
@require_POST
def kudos_add(request: HttpRequest, public_id) -> HttpResponse:
    """Mark a customer's message on the case as kudos for someone who handled it."""
    case = case_get_for_agent(user=request.user, public_id=public_id)
    panel = case_panel(case=case, user=request.user)
    form = kudos_form_for(panel, request.POST)
    if form.is_valid():
        message = message_get_for_kudos(case=case, public_id=form.cleaned_data["message"])
        agent = staff_get(agent_id=form.cleaned_data["agent"])
        try:
            kudos_from_message(
                message=message, agent=agent, actor=request.user, quote=form.cleaned_data["quote"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return _panel_response(request, case)
    return _panel_response(request, case, form)


@login_required
@require_POST
def kudos_delete(request: HttpRequest, public_id) -> HttpResponse:
    kudos = kudos_get_for(user=request.user, public_id=public_id)
    try:
        kudos_remove(kudos=kudos, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    return _panel_response(request, kudos.case)
