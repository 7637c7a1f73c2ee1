"""The customer's case folder (R-CR-2): their cases, each with its whole public story."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.choices import Channel, Status
from amends.cases.services.customer_requests import case_customer_manager_request
from amends.cases.services.lifecycle import case_customer_message
from amends.core import clock
from amends.core.errors import DomainError
from amends.core.forms import apply_domain_error
from amends.core.middleware import file_download
from amends.learning.services.preferences import customer_incident_notices_set
from amends.notify.channels import channel_choices
from amends.notify.selectors import customer_preferences_get
from amends.notify.services import customer_preferences_update
from amends.portal.export import case_export_file, case_export_name
from amends.portal.forms import CustomerMessageForm, FollowUpForm, ManagerRequestForm, PreferencesForm
from amends.portal.ratelimit import rate_limit_hit
from amends.portal.selectors import (
    portal_attachment_get,
    portal_case_folder,
    portal_case_get,
    portal_case_list,
    portal_followup_for_case,
)
from amends.portal.views_signin import customer_required
from amends.sla.services.followups import followup_answer


@customer_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = portal_case_list(viewer=request.viewer)  # type: ignore[attr-defined]
    return render(request, "portal/cases.html", {"cases": cases, "viewer": request.viewer})  # type: ignore[attr-defined]


def _case_page(request: HttpRequest, public_id: UUID, *, status: int = 200, **forms) -> HttpResponse:
    folder = portal_case_folder(viewer=request.viewer, public_id=public_id)  # type: ignore[attr-defined]
    context = {
        "folder": folder,
        "case": folder.case,
        "viewer": request.viewer,  # type: ignore[attr-defined]
        "can_write": folder.case.status != Status.CLOSED,
        "message_form": forms.get("message_form") or CustomerMessageForm(),
        "manager_form": forms.get("manager_form") or ManagerRequestForm(),
        "manager_open": "manager_form" in forms,
        "followup_form": forms.get("followup_form") or FollowUpForm(),
        "download_limited": forms.get("download_limited", False),
        "max_files": settings.AMENDS_ATTACHMENT_MAX_COUNT,
        "max_mb": settings.AMENDS_ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "portal/case.html", context, status=status)


@customer_required
def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _case_page(request, public_id)


def _too_fast(request: HttpRequest, scope: str = "portal-write") -> bool:
    return rate_limit_hit(
        request=request,
        scope=scope,
        limit=settings.AMENDS_FORM_RATE_LIMIT,
        window=settings.AMENDS_FORM_RATE_WINDOW,
    )


@require_POST
@customer_required
def case_message(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Add a message (and files) to the case; a waiting or resolved case opens again."""
    case = portal_case_get(viewer=request.viewer, public_id=public_id)  # type: ignore[attr-defined]
    form = CustomerMessageForm(request.POST, request.FILES)
    if _too_fast(request):
        form.add_error(
            None, _("You have sent a lot in a short time. Please wait a few minutes and try again.")
        )
        return _case_page(request, public_id, status=429, message_form=form)
    if form.is_valid():
        try:
            case_customer_message(
                case=case,
                body=form.cleaned_data["body"],
                channel=Channel.WEB,
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Your message has been added to your case. We will answer soon."))
            return redirect("portal:case", public_id=case.public_id)
    return _case_page(request, public_id, status=400, message_form=form)


@require_POST
@customer_required
def case_manager(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """'I want to speak to a manager' (R-EM-2): the team lead is told at once, with the reason."""
    case = portal_case_get(viewer=request.viewer, public_id=public_id)  # type: ignore[attr-defined]
    form = ManagerRequestForm(request.POST)
    if _too_fast(request):
        form.add_error(
            None, _("You have sent a lot in a short time. Please wait a few minutes and try again.")
        )
        return _case_page(request, public_id, status=429, manager_form=form)
    if form.is_valid():
        try:
            case_customer_manager_request(case=case, reason=form.cleaned_data["reason"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("A team lead has been told and will contact you. Your reason is now part of your case."),
            )
            return redirect("portal:case", public_id=case.public_id)
    return _case_page(request, public_id, status=400, manager_form=form)


@require_POST
@customer_required
def case_followup(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The satisfaction check answered on the case page: the same form and service as the
    emailed link; "not solved" opens the case again."""
    case = portal_case_get(viewer=request.viewer, public_id=public_id)  # type: ignore[attr-defined]
    item = portal_followup_for_case(case=case)
    if item is None or item.answered_at is not None:
        messages.success(
            request,
            _("We already have your answer; nothing more is needed.")
            if item
            else _("This question can no longer be answered."),
        )
        return redirect("portal:case", public_id=case.public_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            solved = data["answer"] == "solved"
            item, _recorded = followup_answer(
                followup=item, solved=solved, rating=data["rating"], comment=data["comment"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _followup_thanks(item, case.reference))
            return redirect("portal:case", public_id=case.public_id)
    return _case_page(request, public_id, status=400, followup_form=form)


def _followup_thanks(item, reference: str) -> str:
    if item.solved:
        return _("We are glad the problem is solved.")
    sentence = _(
        "Your case <bdi>%(ref)s</bdi> is open again with the same person, who already knows the "
        "story. You will hear from us soon."
    )
    return mark_safe(sentence % {"ref": escape(reference)})  # a translation of ours: <bdi> only


def _case_export(request: HttpRequest, public_id: UUID, kind: str) -> HttpResponse:
    folder = portal_case_folder(viewer=request.viewer, public_id=public_id)  # type: ignore[attr-defined]
    # Making a PDF costs CPU and a ZIP disk: the form's numbers, per client.
    if _too_fast(request, scope="portal-download"):
        return _case_page(request, public_id, status=429, download_limited=True)
    file = case_export_file(folder, kind, now=clock.now())
    return file_download(file, filename=case_export_name(folder.case, kind))


@customer_required
def case_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The whole case as a PDF: where it stands, the promises, the messages both ways."""
    return _case_export(request, public_id, "pdf")


@customer_required
def case_zip(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The case's PDF and every file of its public messages, in one ZIP."""
    return _case_export(request, public_id, "zip")


@customer_required
def attachment_download(request: HttpRequest, public_id: UUID) -> FileResponse:
    """A file on the customer's own case, always as a download that cannot run in our origin."""
    attachment = portal_attachment_get(viewer=request.viewer, public_id=public_id)  # type: ignore[attr-defined]
    return file_download(attachment.file.open("rb"), filename=attachment.filename)


@customer_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Settings: the language and channel of the customer's notifications (signed in only)."""
    if not request.viewer.signed_in:  # type: ignore[attr-defined]  # a case link is not an account
        return redirect("portal:signin")
    customer = customer_preferences_get(customer_id=request.viewer.customer_id)  # type: ignore[attr-defined]
    form = PreferencesForm(request.POST or None, customer=customer, channels=channel_choices(customer))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        notify_incidents = data.pop("notify_incidents")
        try:
            customer_preferences_update(customer_id=customer.pk, **data)
            customer_incident_notices_set(customer_id=customer.pk, wanted=notify_incidents)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            with translation.override(form.cleaned_data["language"]):
                messages.success(request, _("Your settings are saved."))
                return redirect("portal:preferences")  # the page in the language just chosen
    context = {"form": form, "viewer": request.viewer}  # type: ignore[attr-defined]
    return render(request, "portal/preferences.html", context, status=400 if form.errors else 200)
