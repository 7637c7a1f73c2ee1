"""The desk's incident pages (R-LE-4), for leads and administrators: declare an interruption,
link the cases it caused in bulk, change its status (fixed tells every affected customer)."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_get_for_agent
from amends.core import clock
from amends.core.errors import DomainError
from amends.core.forms import apply_domain_error
from amends.learning.forms import BulkLinkForm, CaseUnlinkForm, IncidentForm, IncidentStatusForm
from amends.learning.models import IncidentStatus, LinkHow
from amends.learning.selectors import (
    IncidentFilters,
    history_for,
    incident_candidates,
    incident_counts,
    incident_get,
    incident_links,
    incident_list,
)
from amends.learning.services.incidents import (
    BULK_LINK_MAX,
    incident_case_unlink,
    incident_cases_link,
    incident_declare,
    incident_update,
)
from amends.learning.views import PAGE_SIZE, lead_required

HOW_BY_MODE = {"filter": LinkHow.FILTER, "search": LinkHow.SEARCH, "similar": LinkHow.SIMILAR}


@lead_required
def incidents(request: HttpRequest) -> HttpResponse:
    filters = IncidentFilters(status=request.GET.get("status", ""))
    page = Paginator(incident_list(filters=filters), PAGE_SIZE, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    context = {"filters": filters, "page": page, "statuses": IncidentStatus.choices}
    return render(request, "learning/incidents.html", context)


@lead_required
def incident_new(request: HttpRequest) -> HttpResponse:
    initial = {"started_at": timezone.localtime(clock.now()).replace(second=0, microsecond=0)}
    form = IncidentForm(request.POST if request.method == "POST" else None, initial=initial, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_declare(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:incident", public_id=incident.public_id)
    return render(request, "learning/incident_form.html", {"form": form}, status=400 if form.errors else 200)


@lead_required
def incident_edit(request: HttpRequest, public_id) -> HttpResponse:
    incident = incident_get(public_id=public_id)
    fields = [name for name in IncidentForm.base_fields if name != "owner"]
    initial = {name: getattr(incident, name) for name in fields}
    initial["owner"] = incident.owner_id
    initial["started_at"] = timezone.localtime(incident.started_at)
    form = IncidentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident_update(incident=incident, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("desk:incident", public_id=incident.public_id)
    context = {"form": form, "incident": incident}
    return render(request, "learning/incident_form.html", context, status=400 if form.errors else 200)


def _incident_context(request: HttpRequest, incident, **extra) -> dict:
    return {
        "incident": incident,
        "counts": incident_counts(incident=incident),
        "links": incident_links(incident=incident),
        "history": history_for(target=incident),
        "statuses": IncidentStatus.choices,
        "filter_form": BulkLinkForm(
            initial={"mode": "filter", "queue": "open", "since_start": True}, auto_id="id_f_%s"
        ),
        "search_form": BulkLinkForm(initial={"mode": "search"}, auto_id="id_s_%s"),
        "similar_form": BulkLinkForm(initial={"mode": "similar"}, auto_id="id_m_%s"),
        "bulk_max": BULK_LINK_MAX,
        **extra,
    }


@lead_required
def incident_detail(request: HttpRequest, public_id) -> HttpResponse:
    incident = incident_get(public_id=public_id)
    linked = request.GET.get("linked", "")
    context = _incident_context(request, incident, linked=int(linked) if linked.isdigit() else None)
    return render(request, "learning/incident.html", context)


@lead_required
@require_POST
def incident_status(request: HttpRequest, public_id) -> HttpResponse:
    """Move the incident on: identified, fixed (every affected customer is told), or back."""
    incident = incident_get(public_id=public_id)
    form = IncidentStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    incident_update(incident=incident, actor=request.user, status=form.cleaned_data["status"])
    return redirect("desk:incident", public_id=incident.public_id)


@lead_required
@require_POST
def incident_cases(request: HttpRequest, public_id) -> HttpResponse:
    """Bulk link: the first post shows how many cases (and a few of them), the second, with
    `confirm`, links them. op=unlink takes one case off."""
    incident = incident_get(public_id=public_id)
    if request.POST.get("op") == "unlink":
        unlink = CaseUnlinkForm(request.POST)
        if not unlink.is_valid():
            raise Http404
        case = case_get_for_agent(user=request.user, public_id=unlink.cleaned_data["case"])
        incident_case_unlink(incident=incident, case=case, actor=request.user)
        return redirect("desk:incident", public_id=incident.public_id)
    form = BulkLinkForm(request.POST, auto_id="id_b_%s")
    status, extra = 400, {"bulk_form": form}
    if form.is_valid():
        data = form.cleaned_data
        found = incident_candidates(user=request.user, incident=incident, data=data, limit=BULK_LINK_MAX)
        extra["candidates"] = found
        status = 200
        if data["confirm"] and found.ids:
            try:
                linked = incident_cases_link(
                    incident=incident, case_ids=found.ids, actor=request.user, how=HOW_BY_MODE[data["mode"]]
                )
            except DomainError as exc:
                extra["bulk_error"], status = exc, 400
            else:
                return _linked(request, incident, linked)
    template = "learning/incident.html#link-preview" if request.htmx else "learning/incident.html"
    context = _incident_context(request, incident, **extra)
    return render(request, template, context, status=status if not request.htmx else 200)


def _linked(request: HttpRequest, incident, linked: int) -> HttpResponse:
    url = redirect("desk:incident", public_id=incident.public_id).url + f"?linked={linked}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
