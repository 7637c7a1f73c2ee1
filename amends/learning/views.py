"""The desk's problem pages (R-LE-3), included under /desk/ by desk/urls.py. Views parse, call
one service or selector and render (an HTMX partial when asked); cases are reached only
through the cases funnels. Leads and administrators change; agents read the problems linked
to cases they may see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.selectors import user_list_assignable
from amends.cases.selectors import case_get_for_agent
from amends.core.errors import DomainError
from amends.core.forms import apply_domain_error
from amends.learning.forms import (
    ActionForm,
    ActionStatusForm,
    CaseReferenceForm,
    CaseUnlinkForm,
    ProblemEditForm,
    ProblemForm,
)
from amends.learning.models import ActionStatus, LinkHow, ProblemStatus
from amends.learning.selectors import (
    ProblemFilters,
    action_get,
    can_edit_learning,
    case_by_reference_for,
    cases_for_new_problem,
    history_for,
    problem_actions,
    problem_get_for,
    problem_links,
    problem_list,
    problems_visible_to,
    recurrence_stats,
    root_cause_list,
)
from amends.learning.services.problems import (
    action_add,
    action_update,
    problem_case_unlink,
    problem_cases_link,
    problem_create,
    problem_update,
)

PAGE_SIZE = 50


def lead_required(view):
    """Leads and admins only; a signed-in agent gets 403 (the login page would send them back)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_edit_learning(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@login_required
def problems(request: HttpRequest) -> HttpResponse:
    filters = ProblemFilters(**{k: request.GET.get(k, "") for k in ("status", "owner", "root_cause")})
    rows = problem_list(user=request.user, filters=filters)
    page = Paginator(rows, PAGE_SIZE, allow_empty_first_page=True).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "statuses": ProblemStatus.choices,
        "owners": user_list_assignable(),
        "root_causes": root_cause_list(),
        "stats": recurrence_stats(problems=problems_visible_to(request.user)),
        "can_edit": can_edit_learning(request.user),
    }
    template = "learning/problems.html#results" if request.htmx else "learning/problems.html"
    return render(request, template, context)


@lead_required
def problem_new(request: HttpRequest) -> HttpResponse:
    """A new problem, from a case (?case=…), or from a case and the N cases like it that its
    page showed (&similar=N)."""
    similar = request.GET.get("similar", "")
    similar = int(similar) if similar.isdigit() else 0
    with_similar = similar > 0
    cases = cases_for_new_problem(user=request.user, public_ids=request.GET.getlist("case"), similar=similar)
    choices = [(str(c.public_id), c.reference) for c in cases]
    initial = {"cases": [pid for pid, _ref in choices], "title": cases[0].subject if cases else ""}
    form = ProblemForm(
        request.POST if request.method == "POST" else None, case_choices=choices, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [c for c in cases if str(c.public_id) in set(data.get("cases") or ())]
        try:
            problem = problem_create(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                root_cause=data["root_cause"],
                owner=data["owner"],
                cases=chosen,
                how=LinkHow.SIMILAR if with_similar else LinkHow.BY_HAND,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:problem", public_id=problem.public_id)
    context = {"form": form, "cases": cases, "with_similar": with_similar}
    return render(request, "learning/problem_new.html", context, status=400 if form.errors else 200)


def _problem_context(request: HttpRequest, problem, **forms) -> dict:
    links = problem_links(problem=problem, user=request.user)
    return {
        "problem": problem,
        "links": links,
        "recurrences": sum(1 for link in links if link.recurrence),
        "actions": problem_actions(problem=problem),
        "history": history_for(target=problem),
        "can_edit": can_edit_learning(request.user),
        "link_form": forms.get("link_form") or CaseReferenceForm(auto_id="id_link_%s"),
        "action_form": forms.get("action_form") or ActionForm(auto_id="id_action_%s"),
        "action_statuses": ActionStatus.choices,
    }


@login_required
def problem_detail(request: HttpRequest, public_id) -> HttpResponse:
    problem = problem_get_for(user=request.user, public_id=public_id)
    return render(request, "learning/problem.html", _problem_context(request, problem))


@lead_required
def problem_edit(request: HttpRequest, public_id) -> HttpResponse:
    problem = problem_get_for(user=request.user, public_id=public_id)
    initial = {
        "title": problem.title,
        "description": problem.description,
        "root_cause": problem.root_cause_id,
        "owner": problem.owner_id,
        "status": problem.status,
        "lessons_learned": problem.lessons_learned,
    }
    form = ProblemEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            problem_update(problem=problem, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:problem", public_id=problem.public_id)
    context = {"form": form, "problem": problem}
    return render(request, "learning/problem_edit.html", context, status=400 if form.errors else 200)


def _problem_section(
    request: HttpRequest, problem, section: str, *, status: int = 200, **forms
) -> HttpResponse:
    """After a change on the problem page: the changed section (HTMX), or the page again."""
    if not request.htmx and status == 200:
        return redirect("desk:problem", public_id=problem.public_id)
    problem.refresh_from_db()
    context = _problem_context(request, problem, **forms)
    template = f"learning/problem.html#{section}" if request.htmx else "learning/problem.html"
    return render(request, template, context, status=status if not request.htmx else 200)


@lead_required
@require_POST
def problem_cases(request: HttpRequest, public_id) -> HttpResponse:
    """Link a case by its reference, or (op=unlink) take one off."""
    problem = problem_get_for(user=request.user, public_id=public_id)
    if request.POST.get("op") == "unlink":
        form = CaseUnlinkForm(request.POST)
        if not form.is_valid():
            raise Http404
        case = case_get_for_agent(user=request.user, public_id=form.cleaned_data["case"])
        problem_case_unlink(problem=problem, case=case, actor=request.user)
        return _problem_section(request, problem, "problem-cases")
    link_form = CaseReferenceForm(request.POST, auto_id="id_link_%s")
    if link_form.is_valid():
        case = case_by_reference_for(user=request.user, reference=link_form.cleaned_data["reference"])
        if case is None:
            link_form.add_error("reference", _("No case with this reference that you may see."))
        else:
            problem_cases_link(problem=problem, cases=[case], actor=request.user)
            return _problem_section(request, problem, "problem-cases")
    return _problem_section(request, problem, "problem-cases", status=400, link_form=link_form)


@lead_required
@require_POST
def problem_action_add(request: HttpRequest, public_id) -> HttpResponse:
    problem = problem_get_for(user=request.user, public_id=public_id)
    form = ActionForm(request.POST, auto_id="id_action_%s")
    if form.is_valid():
        try:
            action_add(problem=problem, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return _problem_section(request, problem, "problem-actions")
    return _problem_section(request, problem, "problem-actions", status=400, action_form=form)


@lead_required
@require_POST
def problem_action_status(request: HttpRequest, public_id) -> HttpResponse:
    """An action's status changed inline (HTMX): the action's row again."""
    problem = problem_get_for(user=request.user, public_id=public_id)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    action = action_get(problem=problem, public_id=form.cleaned_data["action"])
    action = action_update(action=action, actor=request.user, status=form.cleaned_data["status"])
    if not request.htmx:
        return redirect("desk:problem", public_id=problem.public_id)
    context = {
        "problem": problem,
        "action": action,
        "can_edit": True,
        "action_statuses": ActionStatus.choices,
    }
    return render(request, "learning/problem.html#action-row", context)
