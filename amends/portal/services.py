"""Writes for the customer portal: sign-in by an emailed link or code, case-bound links in
customer mail, and signing out (which also ends every link sent before).

Raw tokens and codes exist only in the mail and in the customer's hands; the database keeps
their hashes (docs/subsystems/portal.md).
"""

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from amends.cases.selectors import case_get_by_public_id
from amends.core import clock
from amends.core.errors import DomainError
from amends.core.i18n import normalise_language
from amends.customers.selectors import customer_get_by_email
from amends.customers.services import normalise_email
from amends.notify.services import address_notify
from amends.portal.models import PortalAccess, SignInToken

logger = logging.getLogger(__name__)

CASE_LINK_SALT = "amends.portal.case-link"
CODE_SALT = "amends.portal.signin-code"
CODE_DIGITS = 6
# Wrong codes tolerated per emailed sign-in before it dies: with six digits, five guesses give
# a one-in-200,000 chance, and the per-client rate limit slows any guessing further.
MAX_CODE_ATTEMPTS = 5


class LinkInvalid(DomainError):
    code = "link_invalid"


class CodeInvalid(DomainError):
    code = "code_invalid"


LINK_INVALID = _(
    "This link has expired, has already been used, or was ended when you signed out. Ask for a new one below."
)
CODE_INVALID = _("That code does not match, or it has expired. Check the email, or ask for a new one.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hash(token_hash: str, code: str) -> str:
    return salted_hmac(CODE_SALT, f"{token_hash}:{code}", algorithm="sha256").hexdigest()


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def code_normalise(value: str) -> str:
    """What a person types as the code: spaces and dashes dropped, any script's digits
    (Arabic-Indic '٤٢' included) read as 0-9."""
    digits = [unicodedata.decimal(ch, None) for ch in value if not ch.isspace() and ch != "-"]
    if None in digits:
        return ""
    return "".join(str(d) for d in digits)


# --- Sign-in ------------------------------------------------------------------------------


@transaction.atomic
def signin_request(*, email: str, language: str) -> None:
    """Mail a one-time sign-in link and code to the customer who owns `email`, in the
    customer's language (`language`, the page's, only if they have none).

    An unknown address does nothing: the caller shows the same answer either way. The mail is
    queued through notify in this transaction (address_notify), so a rolled-back request sends
    nothing.
    """
    customer = customer_get_by_email(email=email)
    if customer is None:
        return
    now = clock.now()
    SignInToken.objects.filter(customer=customer, expires_at__lte=now).delete()
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    token_hash = _token_hash(token)
    SignInToken.objects.create(
        customer=customer,
        token_hash=token_hash,
        code_hash=_code_hash(token_hash, code),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.AMENDS_PORTAL_SIGNIN_MINUTES),
    )
    # The customer's chosen language, as for every mail that is not about a case; the page's
    # language only for a customer who has none.
    language = normalise_language(customer.language or language)
    with translation.override(language):
        link = settings.SITE_URL.rstrip("/") + reverse("portal:signin-link", kwargs={"token": token})
    # Queued like every notification and sent by the worker: the request never waits for the
    # mail server (which made a known address slower to answer), and an outage is retried.
    address_notify(
        to_address=normalise_email(email),
        language=language,
        event="signin",
        context={
            "name": customer.full_name,
            "link": link,
            "code": code,
            "minutes": settings.AMENDS_PORTAL_SIGNIN_MINUTES,
        },
    )


def signin_token_check(*, token: str) -> None:
    """Raise LinkInvalid unless `token` is an unused, unexpired sign-in link. Changes nothing:
    mail scanners open links, so only the press of the button signs in."""
    if not SignInToken.objects.filter(
        token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=clock.now()
    ).exists():
        raise LinkInvalid(LINK_INVALID)


@transaction.atomic
def signin_with_link(*, token: str) -> int:
    """Use an emailed sign-in link; returns the customer id. Used, expired or unknown: LinkInvalid."""
    row = (
        SignInToken.objects.select_for_update()
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if row is None or not _use(row):
        raise LinkInvalid(LINK_INVALID)
    return row.customer_id


def signin_with_code(*, email: str, code: str) -> int:
    """Use the code from the sign-in mail with the address it went to; returns the customer id.

    Each wrong code counts against every live sign-in of that customer; after
    MAX_CODE_ATTEMPTS a sign-in dies. An unknown address gets the same CodeInvalid.
    """
    customer_id = _signin_with_code(email=email, code=code_normalise(code))
    if customer_id is None:
        raise CodeInvalid(CODE_INVALID, field="code")
    return customer_id


@transaction.atomic
def _signin_with_code(*, email: str, code: str) -> int | None:
    customer = customer_get_by_email(email=email)
    if customer is None or len(code) != CODE_DIGITS:
        return None
    rows = list(
        SignInToken.objects.select_for_update()
        .filter(
            customer=customer,
            used_at__isnull=True,
            expires_at__gt=clock.now(),
            failed_attempts__lt=MAX_CODE_ATTEMPTS,
        )
        .order_by("pk")
    )
    for row in rows:
        if constant_time_compare(row.code_hash, _code_hash(row.token_hash, code)):
            return row.customer_id if _use(row) else None
    SignInToken.objects.filter(pk__in=[r.pk for r in rows]).update(failed_attempts=F("failed_attempts") + 1)
    return None


def _use(row: SignInToken) -> bool:
    """Mark the sign-in used, and every other unused one of the customer with it: one sign-in
    ends all the links and codes sent before it."""
    now = clock.now()
    used = SignInToken.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
    SignInToken.objects.filter(customer_id=row.customer_id, used_at__isnull=True).update(used_at=now)
    return used == 1


# --- Case-bound links ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseGrant:
    """What a valid case-bound link opens: one case of one customer."""

    customer_id: int
    case_public_id: str


def portal_case_link(case: Any) -> str:
    """The absolute URL that opens this one case in the portal without signing in, valid for
    AMENDS_PORTAL_CASE_LINK_DAYS and until the customer signs out or is erased. Makes no query.

    The link is signed (django.core.signing, salt CASE_LINK_SALT), not stored: it carries the
    case's public id and the time it was made. Its path is in the case's language.
    """
    token = signing.dumps(
        {"c": case.public_id.hex, "t": _ms(clock.now())}, salt=CASE_LINK_SALT, compress=False
    )
    with translation.override(normalise_language(case.language)):
        path = reverse("portal:case-link", kwargs={"token": token})
    return settings.SITE_URL.rstrip("/") + path


def case_link_open(*, token: str) -> CaseGrant:
    """Check a case-bound link: signed by us, not older than the setting, made after the
    customer last signed out, for a case that still exists. Otherwise LinkInvalid."""
    try:
        payload = signing.loads(token, salt=CASE_LINK_SALT)
        issued = _from_ms(int(payload["t"]))
        public_id = str(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise LinkInvalid(LINK_INVALID) from exc
    if clock.now() - issued > timedelta(days=settings.AMENDS_PORTAL_CASE_LINK_DAYS):
        raise LinkInvalid(LINK_INVALID)
    case = case_get_by_public_id(public_id=public_id)
    if case is None or not portal_access_valid(customer_id=case.customer_id, since=issued):
        raise LinkInvalid(LINK_INVALID)
    return CaseGrant(customer_id=case.customer_id, case_public_id=str(case.public_id))


# --- Sessions and revocation --------------------------------------------------------------


def portal_access_valid(*, customer_id: int, since: datetime) -> bool:
    """False when the customer signed out, or was erased, after `since` (a link's or a
    session's start)."""
    valid_from = (
        PortalAccess.objects.filter(customer_id=customer_id)
        .values_list("links_valid_from", flat=True)
        .first()
    )
    return valid_from is None or since > valid_from


@transaction.atomic
def portal_access_revoke(*, customer_id: int) -> None:
    """End everything that opens the portal for this customer: unused sign-in links and codes,
    case-bound links in earlier mail, and portal sessions on every device. Signing out calls
    it; erasing the customer must call it too (or delete the customer: the rows cascade)."""
    now = clock.now()
    PortalAccess.objects.update_or_create(customer_id=customer_id, defaults={"links_valid_from": now})
    SignInToken.objects.filter(customer_id=customer_id, used_at__isnull=True).delete()
