"""The case page's actions: which form each one takes and which lifecycle service it calls."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest

from amends.cases.services import lifecycle
from amends.desk.forms import (
    AskForm,
    CaseUpdateForm,
    CloseForm,
    ManagerRequestForm,
    NoteForm,
    PromiseDoneForm,
    PromiseMoveForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    SuggestionConfirmForm,
    TransferForm,
)
from amends.insight.suggest.services import case_triage_update, suggestion_confirm
from amends.mail.selectors import held_get_for_case
from amends.mail.services import held_accept, held_reject
from amends.sla.selectors import commitment_get_for_case
from amends.sla.services.commitments import commitment_mark_done, commitment_move
from amends.sla.services.escalations import case_manager_request


class ClaimForm(forms.Form):
    pass


class HeldMailForm(forms.Form):
    mail = forms.IntegerField(widget=forms.HiddenInput)


def _claim(case, actor, data):
    return lifecycle.case_assign(case=case, owner=actor, actor=actor)


def _reply(case, actor, data):
    return lifecycle.case_reply(
        case=case,
        actor=actor,
        body=data["body"],
        attachments=data["attachments"],
        promise_due=data["promise_due"],
    )


def _note(case, actor, data):
    return lifecycle.case_note(case=case, actor=actor, body=data["body"])


def _ask(case, actor, data):
    return lifecycle.case_ask(case=case, actor=actor, body=data["body"])


def _transfer(case, actor, data):
    return lifecycle.case_transfer(
        case=case,
        actor=actor,
        to_owner=data["to_owner"],
        to_team=data["to_team"],
        summary=data["summary"],
    )


def _resolve(case, actor, data):
    return lifecycle.case_resolve(
        case=case,
        actor=actor,
        resolution_type=data["resolution_type"],
        decision=data["decision"],
        summary=data["summary"],
        redress_amount=data["redress_amount"],
        redress_currency=data["redress_currency"] or "",
    )


def _reopen(case, actor, data):
    return lifecycle.case_reopen(case=case, actor=actor, reason=data["reason"])


def _close(case, actor, data):
    return lifecycle.case_close(case=case, actor=actor, root_cause=data["root_cause"])


def _update(case, actor, data):
    # A category chosen here confirms or corrects the case's suggested category.
    return case_triage_update(
        case=case,
        actor=actor,
        category=data["category"],
        priority=data["priority"],
        vulnerable=data["vulnerable"],
        summary=data["summary"],
    )


def _category_confirm(case, actor, data):
    return suggestion_confirm(case=case, actor=actor, category=data["category"])


def _manager(case, actor, data):
    return case_manager_request(case=case, actor=actor, reason=data["reason"])


def _commitment(case, data):
    try:
        return commitment_get_for_case(case_id=case.pk, public_id=data["commitment"])
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _promise_done(case, actor, data):
    return commitment_mark_done(commitment=_commitment(case, data), actor=actor)


def _promise_move(case, actor, data):
    return commitment_move(
        commitment=_commitment(case, data), due_at=data["due_at"], reason=data["reason"], actor=actor
    )


def _held(case, data):
    try:
        return held_get_for_case(case_id=case.pk, pk=data["mail"])
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _mail_accept(case, actor, data):
    return held_accept(mail_id=_held(case, data).pk, actor=actor)


def _mail_reject(case, actor, data):
    return held_reject(mail_id=_held(case, data).pk, actor=actor)


ACTIONS: dict[str, tuple[type[forms.Form], Callable[[Any, Any, dict], Any]]] = {
    "claim": (ClaimForm, _claim),
    "reply": (ReplyForm, _reply),
    "note": (NoteForm, _note),
    "ask": (AskForm, _ask),
    "transfer": (TransferForm, _transfer),
    "resolve": (ResolveForm, _resolve),
    "reopen": (ReopenForm, _reopen),
    "close": (CloseForm, _close),
    "update": (CaseUpdateForm, _update),
    "category-confirm": (SuggestionConfirmForm, _category_confirm),
    "manager": (ManagerRequestForm, _manager),
    "promise-done": (PromiseDoneForm, _promise_done),
    "promise-move": (PromiseMoveForm, _promise_move),
    "mail-accept": (HeldMailForm, _mail_accept),
    "mail-reject": (HeldMailForm, _mail_reject),
}


def bind(action: str, request: HttpRequest) -> forms.Form:
    if action not in ACTIONS:
        raise Http404
    return ACTIONS[action][0](request.POST, request.FILES, auto_id=f"id_{action}_%s")


def run(action: str, *, case, actor, data: dict) -> Any:
    return ACTIONS[action][1](case, actor, data)


def empty_forms(case) -> dict[str, forms.Form]:
    # One page holds every action's form: per-action ids keep labels pointing at their own field.
    return {
        "reply": ReplyForm(auto_id="id_reply_%s"),
        "note": NoteForm(auto_id="id_note_%s"),
        "ask": AskForm(auto_id="id_ask_%s"),
        "transfer": TransferForm(auto_id="id_transfer_%s"),
        "resolve": ResolveForm(auto_id="id_resolve_%s"),
        "reopen": ReopenForm(auto_id="id_reopen_%s"),
        "close": CloseForm(auto_id="id_close_%s", initial={"root_cause": case.root_cause_id}),
        "manager": ManagerRequestForm(auto_id="id_manager_%s"),
        "update": CaseUpdateForm(
            auto_id="id_update_%s",
            initial={
                "category": case.category_id,
                "priority": case.priority,
                "vulnerable": case.vulnerable,
                "summary": case.summary,
            },
        ),
    }
