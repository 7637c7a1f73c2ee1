"""Signing in to the portal without a password: an emailed link (or its code), a case-bound
link from any customer mail, and signing out."""

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from amends.core.forms import apply_domain_error
from amends.customers.services import normalise_email
from amends.portal.forms import CodeForm, SignInForm
from amends.portal.ratelimit import rate_limit_hit, rate_limit_key_hit
from amends.portal.services import (
    CodeInvalid,
    LinkInvalid,
    case_link_open,
    portal_access_revoke,
    signin_request,
    signin_token_check,
    signin_with_code,
    signin_with_link,
)
from amends.portal.session import (
    PENDING_EMAIL_KEY,
    viewer_get,
    viewer_grant_case,
    viewer_sign_in,
    viewer_sign_out,
)


def customer_required(view):
    """The view needs a portal customer (`request.viewer`); without one, the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.viewer = viewer_get(request)  # type: ignore[attr-defined]  # the portal's own
        if request.viewer is None:  # type: ignore[attr-defined]
            return redirect("portal:signin")
        return view(request, *args, **kwargs)

    return wrapped


def _signin_page(request: HttpRequest, form: SignInForm, *, status: int = 200, **flags) -> HttpResponse:
    return render(request, "portal/signin.html", {"form": form, **flags}, status=status)


def _over_limit(request: HttpRequest, *, scope: str, address: str = "") -> bool:
    window = settings.AMENDS_PORTAL_SIGNIN_WINDOW
    by_client = rate_limit_hit(
        request=request, scope=scope, limit=settings.AMENDS_PORTAL_SIGNIN_CLIENT_LIMIT, window=window
    )
    by_address = bool(address) and rate_limit_key_hit(
        scope=scope, key=address, limit=settings.AMENDS_PORTAL_SIGNIN_ADDRESS_LIMIT, window=window
    )
    return by_client or by_address


def signin(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link by email. Known or not, the address gets the same answer."""
    if request.method != "POST":
        viewer = viewer_get(request)
        if viewer is not None and viewer.signed_in:
            return redirect("portal:cases")
        return _signin_page(request, SignInForm(), signed_out="signed_out" in request.GET)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _signin_page(request, form, status=400)
    email = normalise_email(form.cleaned_data["email"])
    if _over_limit(request, scope="portal-signin", address=email):
        return _signin_page(request, form, status=429, rate_limited=True)
    signin_request(email=email, language=get_language())
    request.session[PENDING_EMAIL_KEY] = email
    return redirect("portal:signin-code")


def _code_page(request: HttpRequest, form: CodeForm, *, status: int = 200, **flags) -> HttpResponse:
    context = {
        "form": form,
        "sent": bool(request.session.get(PENDING_EMAIL_KEY)),
        "signin_minutes": settings.AMENDS_PORTAL_SIGNIN_MINUTES,
        **flags,
    }
    return render(request, "portal/signin_code.html", context, status=status)


def signin_code(request: HttpRequest) -> HttpResponse:
    """'Check your email', with the box for the code for when the link will not open."""
    if request.method != "POST":
        return _code_page(request, CodeForm(initial={"email": request.session.get(PENDING_EMAIL_KEY, "")}))
    form = CodeForm(request.POST)
    if _over_limit(request, scope="portal-code"):
        return _code_page(request, form, status=429, rate_limited=True)
    if not form.is_valid():
        return _code_page(request, form, status=400)
    try:
        customer_id = signin_with_code(email=form.cleaned_data["email"], code=form.cleaned_data["code"])
    except CodeInvalid as error:
        apply_domain_error(form, error)
        return _code_page(request, form, status=400)
    viewer_sign_in(request, customer_id=customer_id)
    return redirect("portal:cases")


def signin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Opening it changes nothing (mail scanners open links); the button
    signs in and uses the link up."""
    try:
        if request.method != "POST":
            signin_token_check(token=token)
            return render(request, "portal/signin_link.html")
        customer_id = signin_with_link(token=token)
    except LinkInvalid as error:
        return _signin_page(request, SignInForm(), status=410, invalid=error.message)
    viewer_sign_in(request, customer_id=customer_id)
    return redirect("portal:cases")


def case_link(request: HttpRequest, token: str) -> HttpResponse:
    """The case-bound link in every customer mail: opens that one case, no sign-in needed."""
    try:
        grant = case_link_open(token=token)
    except LinkInvalid as error:
        return _signin_page(request, SignInForm(), status=410, invalid=error.message)
    viewer_grant_case(request, grant=grant)
    return redirect("portal:case", public_id=grant.case_public_id)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out here and everywhere: every link sent before stops working too."""
    viewer = viewer_get(request)
    if viewer is not None:
        portal_access_revoke(customer_id=viewer.customer_id)
    viewer_sign_out(request)
    return redirect(reverse("portal:signin") + "?signed_out=1")
