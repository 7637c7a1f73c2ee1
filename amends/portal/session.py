"""The customer's portal session: kept under its own key, apart from staff sign-in.

A customer is not a `User`; `request.user` stays whatever staff auth says. The session holds
the customer's id, when this session began, and either "all their cases" (signed in by the
emailed link or code) or the public ids of the cases opened by case-bound links.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest

from amends.core import clock
from amends.portal.services import CaseGrant, portal_access_valid

SESSION_KEY = "amends.portal"
PENDING_EMAIL_KEY = "amends.portal.email"  # the address a code was asked for, to prefill it


@dataclass(frozen=True)
class Viewer:
    """The customer behind this request. `case_ids` None: all their cases; a list: only those."""

    customer_id: int
    case_ids: list[str] | None

    @property
    def signed_in(self) -> bool:
        return self.case_ids is None


def _now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def viewer_sign_in(request: HttpRequest, *, customer_id: int) -> None:
    """A full sign-in: a new session key (no fixation), every case of the customer."""
    request.session.cycle_key()
    request.session.pop(PENDING_EMAIL_KEY, None)
    request.session[SESSION_KEY] = {"customer": customer_id, "since": _now_ms(), "cases": None}


def viewer_grant_case(request: HttpRequest, *, grant: CaseGrant) -> None:
    """A case-bound link was opened: this session may see that case too."""
    current = viewer_get(request)
    if current is not None and current.customer_id == grant.customer_id:
        if current.signed_in or grant.case_public_id in (current.case_ids or []):
            return
        cases = [*(current.case_ids or []), grant.case_public_id]
    else:
        cases = [grant.case_public_id]
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"customer": grant.customer_id, "since": _now_ms(), "cases": cases}


def viewer_get(request: HttpRequest) -> Viewer | None:
    """The customer of this session, or None: never signed in, too old, or signed out since
    (on this device or any other)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    since = datetime.fromtimestamp(data["since"] / 1000, tz=UTC)
    too_old = clock.now() - since > timedelta(hours=settings.AMENDS_PORTAL_SESSION_HOURS)
    if too_old or not portal_access_valid(customer_id=data["customer"], since=since):
        request.session.pop(SESSION_KEY, None)
        return None
    return Viewer(customer_id=data["customer"], case_ids=data["cases"])


def viewer_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_EMAIL_KEY, None)
    request.session.cycle_key()
