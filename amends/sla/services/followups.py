"""The satisfaction check after resolution (R-RE-2, R-RE-3).

Scheduled when a case is resolved, sent by the sweeper, answered through a signed link that
expires; "not solved" reopens the case with the same owner, no answer closes it. Answering
twice changes nothing: the first answer stands.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from amends.cases.models import Case
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError
from amends.notify.services import customer_notify
from amends.reports.services.rollups import rollups_refresh
from amends.sla import events
from amends.sla.models import FollowUp, FollowUpStatus
from amends.sla.schedule import business_calendar
from amends.sla.services.clocks import _calendar_for, policy_for

SALT = "amends.sla.followup"


class LinkInvalid(DomainError):
    pass


def followup_schedule(*, case: Case) -> FollowUp:
    """Plan the check N business days after resolution; an earlier unsent one is replaced."""
    now = clock.now()
    case.followups.filter(status=FollowUpStatus.SCHEDULED).update(
        status=FollowUpStatus.CANCELLED, next_check_at=None
    )
    calendar = business_calendar(_calendar_for(case, policy_for(case)))
    send_at = _business_days_later(calendar, now, settings.AMENDS_FOLLOWUP_BUSINESS_DAYS)
    return FollowUp.objects.create(case=case, send_at=send_at, next_check_at=send_at)


def _business_days_later(calendar, moment, days: int):
    """The same local time ``days`` business days later (or the next opening after it)."""
    local = moment.astimezone(calendar.zone)
    day = local.date()
    counted = 0
    for _step in range(days * 7 + 60):
        day += timedelta(days=1)
        if calendar.openings_on(day):
            counted += 1
            if counted == days:
                candidate = local.replace(year=day.year, month=day.month, day=day.day)
                return calendar.next_opening(candidate)
    return calendar.next_opening(moment + timedelta(days=days))


def followups_cancel(*, case: Case) -> None:
    """The case is active again (the customer wrote, an agent reopened): no survey now."""
    followups_cancel_many(case_ids=[case.pk])


def followups_cancel_many(*, case_ids: list[int]) -> None:
    FollowUp.objects.filter(
        case_id__in=case_ids, status__in=[FollowUpStatus.SCHEDULED, FollowUpStatus.SENT]
    ).update(status=FollowUpStatus.CANCELLED, next_check_at=None)


def followup_token(followup: FollowUp) -> str:
    return signing.dumps({"f": followup.pk}, salt=SALT, compress=True)


def followup_from_token(token: str) -> FollowUp:
    """The follow-up a link points at; LinkInvalid when forged or expired."""
    max_age = timedelta(days=settings.AMENDS_FOLLOWUP_CLOSE_DAYS + 1)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkInvalid(_("This link has expired."), code="link_expired") from None
    except signing.BadSignature:
        raise LinkInvalid(_("This link is not valid."), code="link_invalid") from None
    followup = (
        FollowUp.objects.select_related("case", "case__owner", "case__customer")
        .filter(pk=data.get("f"))
        .first()
    )
    if followup is None or followup.status == FollowUpStatus.CANCELLED:
        raise LinkInvalid(_("This link is no longer valid."), code="link_invalid")
    return followup


def followup_send(*, followup: FollowUp) -> None:
    """Called by the sweeper with the row locked."""
    now = clock.now()
    case = followup.case
    token = followup_token(followup)
    with translation.override(case.language):
        path = reverse("portal:followup", kwargs={"token": token})
    base = settings.SITE_URL + path
    customer_notify(
        case=case,
        event="followup",
        context={
            "solved_url": base + "?answer=solved",
            "not_solved_url": base + "?answer=not_solved",
            "owner_name": case.owner.full_name if case.owner_id else "",
            "expires_days": settings.AMENDS_FOLLOWUP_CLOSE_DAYS,
        },
    )
    followup.status = FollowUpStatus.SENT
    followup.sent_at = now
    followup.expires_at = now + timedelta(days=settings.AMENDS_FOLLOWUP_CLOSE_DAYS)
    followup.next_check_at = followup.expires_at
    record_event(name=events.FOLLOWUP_SENT, target=case, actor_label="system")


@transaction.atomic
def followup_answer(
    *, followup: FollowUp, solved: bool, rating: int | None, comment: str
) -> tuple[FollowUp, bool]:
    """Store the customer's answer; returns (followup, whether this call recorded it)."""
    from amends.cases.services.lifecycle import case_reopen_by_customer
    from amends.quality.services.kudos import kudos_capture_from_followup

    followup = FollowUp.objects.select_for_update(of=("self",)).select_related("case").get(pk=followup.pk)
    if followup.status == FollowUpStatus.ANSWERED:
        return followup, False
    if followup.status not in (FollowUpStatus.SENT, FollowUpStatus.EXPIRED):
        raise LinkInvalid(_("This link is no longer valid."), code="link_invalid")
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError(_("Choose a rating from 1 to 5."), code="bad_rating", field="rating")
    followup.status = FollowUpStatus.ANSWERED
    followup.answered_at = clock.now()
    followup.solved = solved
    followup.rating = rating
    followup.comment = comment.strip()[:5000]
    followup.next_check_at = None
    followup.save(update_fields=["status", "answered_at", "solved", "rating", "comment", "next_check_at"])
    record_event(
        name=events.FOLLOWUP_ANSWERED,
        target=followup.case,
        actor_label="customer",
        data={"solved": solved, "rating": rating},
    )
    if not solved:
        case_reopen_by_customer(
            case=followup.case,
            body=followup.comment or _("The customer says the problem is not solved."),
        )
    rollups_refresh(case_ids=[followup.case_id])
    kudos_capture_from_followup(followup=followup)  # top rating with a comment: kudos for the owner
    return followup, True
