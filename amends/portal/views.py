import logging
import uuid

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from amends.cases.choices import Channel
from amends.cases.selectors import case_get_by_public_id
from amends.cases.services.intake import case_open
from amends.core.errors import DomainError
from amends.core.forms import apply_domain_error
from amends.notify.selectors import customer_was_emailed
from amends.portal.forms import ComplaintForm, FollowUpForm
from amends.portal.ratelimit import rate_limit_hit
from amends.sla.services.followups import LinkInvalid, followup_answer, followup_from_token

logger = logging.getLogger(__name__)


def _form_page(request: HttpRequest, form: ComplaintForm, *, status: int = 200, **flags) -> HttpResponse:
    context = {
        "form": form,
        "max_files": settings.AMENDS_ATTACHMENT_MAX_COUNT,
        "max_mb": settings.AMENDS_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        **flags,
    }
    return render(request, "portal/complain.html", context, status=status)


def complain(request: HttpRequest) -> HttpResponse:
    """The public complaint form (R-IN-1, R-IN-6): no login, four languages, nothing lost."""
    if request.method != "POST":
        form = ComplaintForm(initial={"submission_token": uuid.uuid4().hex})
        return _form_page(request, form)
    form = ComplaintForm(request.POST, request.FILES)
    if rate_limit_hit(
        request=request,
        scope="complain",
        limit=settings.AMENDS_FORM_RATE_LIMIT,
        window=settings.AMENDS_FORM_RATE_WINDOW,
    ):
        return _form_page(request, form, status=429, rate_limited=True)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if form.cleaned_data["website"]:
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    try:
        case = case_open(
            channel=Channel.WEB,
            body=data["body"],
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            language=get_language(),
            order_number=data["order_number"],
            desired_outcome=data["desired_outcome"],
            desired_outcome_detail=data["desired_outcome_detail"],
            attachments=data["attachments"],
            intake_key="web:" + data["submission_token"],
        )
    except DomainError as error:
        apply_domain_error(form, error)
        return _form_page(request, form, status=400)
    except DatabaseError:
        # Keep the customer's words on the page and ask them to send again.
        logger.exception("complaint form could not be stored")
        return _form_page(request, form, status=503, unavailable=True)
    return redirect("portal:thanks", public_id=case.public_id)


def thanks(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get_by_public_id(public_id=public_id)
    if case is None:
        raise Http404
    sent = customer_was_emailed(case_id=case.pk, event="received")
    return render(request, "portal/thanks.html", {"case": case, "sent_confirmation": sent})


def followup(request: HttpRequest, token: str) -> HttpResponse:
    """The satisfaction check link. GET only shows the form with the emailed choice already
    ticked (mail scanners open links; they must not answer for the customer); one press sends."""
    try:
        item = followup_from_token(token)
    except LinkInvalid as error:
        return render(request, "portal/followup.html", {"invalid": error.message}, status=410)
    if item.answered_at is not None:
        return render(request, "portal/followup.html", {"item": item, "done": True, "already": True})
    if request.method != "POST":
        form = FollowUpForm(initial={"answer": request.GET.get("answer", "")})
        return render(request, "portal/followup.html", {"item": item, "form": form})
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/followup.html", {"item": item, "form": form}, status=400)
    data = form.cleaned_data
    try:
        item, recorded = followup_answer(
            followup=item, solved=data["answer"] == "solved", rating=data["rating"], comment=data["comment"]
        )
    except LinkInvalid as error:
        return render(request, "portal/followup.html", {"invalid": error.message}, status=410)
    return render(request, "portal/followup.html", {"item": item, "done": True, "already": not recorded})
