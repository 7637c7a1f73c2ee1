"""The staff access log: who looked at which customer's record, when, and how."""

import getpass
import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from amends.core import clock
from amends.privacy.models import AccessLogEntry


def request_ip(request: HttpRequest) -> str | None:
    """The client's address (behind a proxy: AMENDS_TRUSTED_PROXY_HEADER's first entry), or
    None when it is not an IP address (the log column takes only real ones)."""
    header = settings.AMENDS_TRUSTED_PROXY_HEADER
    value = (request.META.get(header, "") if header else "").split(",")[0].strip()
    value = value or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def access_record(
    *,
    customer_id: int,
    what: str,
    case_id: int | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
    user: Any = None,
    actor_label: str = "",
) -> None:
    """Write one access log row: a single INSERT, no read, so every record view can afford it.

    The viewer is `request.user` (and the request's IP address) or, without a request, `user`;
    a manage.py command passes neither and names itself in `actor_label`. Ids, not objects,
    so a caller never loads anything it does not already have.
    """
    if request is not None:
        user = request.user
    AccessLogEntry.objects.create(
        at=clock.now(),
        user=user if getattr(user, "is_authenticated", False) else None,
        actor_label=actor_label[:100],
        customer_id=customer_id,
        case_id=case_id,
        what=what,
        detail=str(detail)[:64],
        ip=request_ip(request) if request is not None else None,
    )


def command_actor_label(command: str) -> str:
    """Who ran a manage.py command, for the logs: the command and the operating-system user."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        who = "?"
    return f"manage.py {command} ({who})"
