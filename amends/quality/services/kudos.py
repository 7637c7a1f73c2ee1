"""Kudos (R-LE-5): a customer's compliment kept for the agent it praises, in the customer's own
words. Two ways in:

- an agent or lead marks a customer's message as kudos for someone who handled the case
  (`kudos_from_message`); the quote is the whole message or words cut from it, never words
  the customer did not write;
- a satisfaction check answered with the top rating and a comment becomes kudos for the case
  owner, once (`kudos_capture_from_followup`, called by sla's followup_answer).

Each is an audit event on the case (`quality.kudos_captured`, `quality.kudos_removed`).
"""

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amends.cases.choices import MessageKind
from amends.cases.models import Message
from amends.core import clock
from amends.core.audit import record_event
from amends.core.errors import DomainError, PermissionDenied
from amends.quality import events
from amends.quality.models import Kudos, KudosSource
from amends.quality.selectors import can_review, case_reply_authors, kudos_people

TOP_RATING = 5  # the satisfaction check's scale is 1-5 (sla.FollowUp)
QUOTE_MAX = 2000


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _event(kudos: Kudos, *, name: str, actor: Any = None) -> None:
    record_event(
        name=name,
        target=kudos.case,
        actor=actor,
        actor_label="" if actor else "system",
        data={"agent": kudos.agent.full_name, "kudos": str(kudos.public_id), "source": kudos.source},
    )


@transaction.atomic
def kudos_from_message(*, message: Message, agent: Any, actor: Any, quote: str = "") -> Kudos:
    """Mark the customer's `message` as kudos for `agent`. `quote` is the words to keep (the
    whole message when empty); they must be the customer's, as written in the message.

    The caller has checked that `actor` may see the case (cases_visible_to)."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Sign in to mark kudos."))
    if message.kind != MessageKind.INBOUND:
        raise DomainError(_("Only a customer's message can be kudos."), code="not_customer", field="message")
    case = message.case
    if agent.pk not in kudos_people(case=case, authors=case_reply_authors(case=case)):
        raise DomainError(
            _("Kudos go to someone who handled this case: its owner or someone who wrote to the customer."),
            code="not_a_handler",
            field="agent",
        )
    wanted = _squeeze(quote)
    body = _squeeze(message.body)
    if not wanted:
        wanted = body
    elif wanted.casefold() not in body.casefold():
        raise DomainError(
            _("Quote the customer's own words: the quote must be part of their message."),
            code="quote_not_in_message",
            field="quote",
        )
    if len(wanted) > QUOTE_MAX:
        wanted = wanted[: QUOTE_MAX - 1].rstrip() + "…"
    if Kudos.objects.filter(message=message, agent=agent).exists():
        raise DomainError(
            _("This message is already kudos for %(name)s.") % {"name": agent.full_name},
            code="kudos_exists",
            field="message",
        )
    try:
        with transaction.atomic():
            kudos = Kudos.objects.create(
                case=case,
                agent=agent,
                source=KudosSource.MESSAGE,
                message=message,
                quote=wanted,
                captured_by=actor,
                created_at=clock.now(),
            )
    except IntegrityError:  # marked by someone else a moment ago
        raise DomainError(
            _("This message is already kudos for %(name)s.") % {"name": agent.full_name},
            code="kudos_exists",
            field="message",
        ) from None
    _event(kudos, name=events.KUDOS_CAPTURED, actor=actor)
    return kudos


def kudos_capture_from_followup(*, followup: Any) -> Kudos | None:
    """A satisfaction answer with the top rating and a comment, on a case with an owner,
    becomes kudos for the owner; anything else, or an answer already captured, gives None.
    Runs in the caller's transaction (followup_answer's)."""
    comment = (followup.comment or "").strip()
    case = followup.case
    if followup.rating != TOP_RATING or not comment or followup.solved is False or not case.owner_id:
        return None
    if Kudos.objects.filter(followup=followup).exists():
        return None
    quote = comment if len(comment) <= QUOTE_MAX else comment[: QUOTE_MAX - 1].rstrip() + "…"
    try:
        with transaction.atomic():
            kudos = Kudos.objects.create(
                case=case,
                agent=case.owner,
                source=KudosSource.SATISFACTION,
                followup=followup,
                quote=quote,
                created_at=clock.now(),
            )
    except IntegrityError:
        return None
    _event(kudos, name=events.KUDOS_CAPTURED)
    return kudos


def can_remove_kudos(user: Any, kudos: Kudos) -> bool:
    """Leads, and whoever marked it, may take kudos back (a message marked by mistake)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return can_review(user) or (kudos.captured_by_id is not None and kudos.captured_by_id == user.pk)


@transaction.atomic
def kudos_remove(*, kudos: Kudos, actor: Any) -> None:
    if not can_remove_kudos(actor, kudos):
        raise PermissionDenied(_("Only team leads, or whoever marked them, can take kudos back."))
    _event(kudos, name=events.KUDOS_REMOVED, actor=actor)
    kudos.delete()


def kudos_forget(*, case_ids: list[int], replacement: str) -> int:
    """Erasure: the customer's words in kudos on these cases are replaced; the kudos stay
    counted for the agent. Returns the rows changed."""
    return Kudos.objects.filter(case_id__in=case_ids).exclude(quote=replacement).update(quote=replacement)
