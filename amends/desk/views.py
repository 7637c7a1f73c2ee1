"""The agents' desk. Views parse, call one service or selector, and render (often an HTMX
partial); business rules live in amends.cases.services."""

import uuid
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from amends.cases.choices import Priority, Status
from amends.cases.selectors import (
    QUEUES,
    SORTS,
    QueueFilters,
    attachment_get_for_agent,
    case_get_for_agent,
    case_rows_for_queue,
    case_search,
    case_timeline,
    category_list_active,
    customer_case_history,
)
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.core.errors import DomainError
from amends.core.forms import apply_domain_error
from amends.core.middleware import file_download
from amends.customers.selectors import customer_contact
from amends.desk import actions
from amends.desk.forms import CaseLogForm
from amends.insight.analysis.selectors import analyses_for_case, case_feeling
from amends.insight.similar.selectors import similar_panel
from amends.insight.suggest.selectors import suggestion_for_case
from amends.mail.selectors import held_list_for_case, inbound_get_for_case_message, inbound_original
from amends.notify.selectors import notification_list_for_case, outbox_list
from amends.privacy.models import AccessKind
from amends.privacy.services.access import access_record
from amends.sla.selectors import (
    clock_views_for_case,
    commitment_list_for_case,
    commitment_summary,
    escalation_get_open,
    escalation_list_for_case,
    escalation_list_open,
    followup_latest_for_case,
    next_clock_by_case,
)
from amends.sla.services.escalations import escalation_handle

PAGE_SIZE = 50


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("queue", "mine")
    name = name if name in QUEUES else "mine"
    filters = QueueFilters(
        **{k: request.GET.get(k, "") for k in ("status", "language", "category", "priority")},
        sort=request.GET.get("sort", "newest"),
    )
    page = Paginator(
        case_rows_for_queue(user=request.user, queue=name, filters=filters),
        PAGE_SIZE,
        allow_empty_first_page=True,
    ).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    clocks = next_clock_by_case(case_ids=[c.pk for c in page.object_list])
    for row in page.object_list:
        row.next_clock = clocks.get(row.pk)
    context = {
        "queue": name,
        "filters": filters,
        "page": page,
        "queues": QUEUES,
        "sorts": list(SORTS),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "categories": category_list_active(),
        "now": clock.now(),
    }
    template = "desk/queue.html#results" if request.htmx else "desk/queue.html"
    return render(request, template, context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    results = list(case_search(user=request.user, text=text))
    if len(results) == 1:
        return redirect("desk:case", public_id=results[0].public_id)
    return render(request, "desk/search.html", {"q": text, "results": results, "now": clock.now()})


def _case_context(request: HttpRequest, case, forms: dict | None = None) -> dict:
    escalations = list(escalation_list_for_case(case_id=case.pk))
    analyses = analyses_for_case(case_id=case.pk)
    context = {
        "analyses": analyses,
        "feeling": case_feeling(analyses=analyses),
        "case": case,
        "contact": customer_contact(case.customer),
        "timeline": case_timeline(case=case, escalations=escalations),
        "history": customer_case_history(user=request.user, case=case),
        "similar": similar_panel(case, user=request.user),  # two queries
        "forms": actions.empty_forms(case),
        "suggestion": suggestion_for_case(case_id=case.pk),  # the suggested cause category
        "clocks": clock_views_for_case(case_id=case.pk),
        "commitments": commitment_list_for_case(case_id=case.pk),
        "escalations": escalations[::-1][:20],  # newest first beside the timeline
        "followup": followup_latest_for_case(case_id=case.pk),
        "held_mail": held_list_for_case(case_id=case.pk),
        "mails": notification_list_for_case(case_id=case.pk).reverse()[:20],  # newest first
        "now": clock.now(),
    }
    context["forms"].update(forms or {})
    return context


@login_required
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    case = case_get_for_agent(user=request.user, public_id=public_id)
    access_record(request=request, customer_id=case.customer_id, case_id=case.pk, what=AccessKind.CASE_PAGE)
    return render(request, "desk/case.html", _case_context(request, case))


@login_required
@require_POST
def case_action(request: HttpRequest, public_id, action: str) -> HttpResponse:
    """Run one lifecycle action from the case page; re-render the case body (HTMX) or redirect."""
    case = case_get_for_agent(user=request.user, public_id=public_id)
    form = actions.bind(action, request)
    status, error = 200, None
    if form.is_valid():
        try:
            actions.run(action, case=case, actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            status, error = 409 if exc.code in ("already_owned", "invalid_transition") else 400, exc
        else:
            form = None
    else:
        status = 400
    try:
        case = case_get_for_agent(user=request.user, public_id=public_id)
    except Http404:
        # Handed to a team the actor is not in: the case is now out of their sight.
        return _redirect_to_queue(request)
    if form is None and not request.htmx:
        return redirect("desk:case", public_id=case.public_id)
    context = _case_context(request, case, {action: form} if form is not None else None)
    context.update({"action_error": error, "open_action": action if form is not None else ""})
    template = "desk/case.html#case-body" if request.htmx else "desk/case.html"
    return render(request, template, context, status=status if not request.htmx else 200)


def _redirect_to_queue(request: HttpRequest) -> HttpResponse:
    response = redirect("desk:queue")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("desk:queue")
    return response


@login_required
def mail_original(request: HttpRequest, public_id, message_id) -> HttpResponse:
    """The whole email a message came in as: quoted history, headers, attachments' names. Text
    only, escaped: nothing from the mail runs in our page (its HTML is never rendered)."""
    case = case_get_for_agent(user=request.user, public_id=public_id)
    mail = inbound_get_for_case_message(case_id=case.pk, message_public_id=message_id)
    access_record(
        request=request,
        customer_id=case.customer_id,
        case_id=case.pk,
        what=AccessKind.ORIGINAL_MAIL,
        detail=message_id,
    )
    context = {"case": case, "mail": mail, "original": inbound_original(mail=mail)}
    return render(request, "desk/mail_original.html", context)


@login_required
def case_log(request: HttpRequest) -> HttpResponse:
    """Log a complaint taken by phone, in person or by letter (R-IN-1) through the same intake."""
    if request.method != "POST":
        form = CaseLogForm(initial={"submission_token": uuid.uuid4().hex, "language": get_language()})
        return render(request, "desk/case_log.html", {"form": form})
    form = CaseLogForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open(
                channel=data["channel"],
                body=data["body"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                language=data["language"],
                order_number=data["order_number"],
                desired_outcome=data["desired_outcome"],
                intake_key="desk:" + data["submission_token"],
                owner=request.user if data["take_it"] else None,
                actor=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:case", public_id=case.public_id)
    return render(request, "desk/case_log.html", {"form": form}, status=400)


@login_required
def attachment_download(request: HttpRequest, public_id) -> FileResponse:
    attachment = attachment_get_for_agent(user=request.user, public_id=public_id)
    case = attachment.message.case
    access_record(
        request=request,
        customer_id=case.customer_id,
        case_id=case.pk,
        what=AccessKind.ATTACHMENT,
        detail=attachment.public_id,
    )
    return file_download(attachment.file.open("rb"), filename=attachment.filename)


def _lead_required(view):
    """Leads and admins only. A signed-in agent gets 403: sending them to the login page, which
    sends signed-in users straight back, would loop."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_lead:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@_lead_required
def attention(request: HttpRequest) -> HttpResponse:
    """Needs attention (leads): open escalations of their teams, newest first."""
    if request.method == "POST":
        escalation_handle(
            escalation=escalation_get_open(user=request.user, pk=request.POST.get("escalation")),
            actor=request.user,
        )
        if not request.htmx:
            return redirect("desk:attention")
    rows = escalation_list_open(user=request.user)
    if request.htmx:
        return render(request, "desk/attention.html#attention-list", {"escalations": rows})
    since = clock.now() - timedelta(days=30)
    context = {
        "escalations": rows,
        "promises_by_agent": commitment_summary(by="owner", since=since),
        "promises_by_team": commitment_summary(by="team", since=since),
    }
    return render(request, "desk/attention.html", context)


@_lead_required
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/outbox.html", {"emails": outbox_list()})
