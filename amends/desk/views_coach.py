"""The reply coach in the compose box (R-WR-2): the draft goes here as the agent types (HTMX,
debounced) and the advice comes back as a partial. Nothing is saved; nothing is blocked."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_get_for_agent
from amends.insight.coach import coach_quotes, reply_coach
from amends.insight.coach_selectors import coach_context_for


@login_required
@require_POST
def coach(request: HttpRequest, public_id) -> HttpResponse:
    case = case_get_for_agent(user=request.user, public_id=public_id)
    draft = request.POST.get("body", "")
    report = reply_coach(draft, coach_context_for(case=case, user=request.user))
    context = {"report": report, "findings": coach_quotes(report, draft)}
    return render(request, "desk/_coach.html", context)
