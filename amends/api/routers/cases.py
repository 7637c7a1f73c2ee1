"""Cases: create a complaint, read a case and its public messages, list with a cursor."""

import base64
import binascii
from datetime import datetime
from typing import Literal
from uuid import UUID

from django.db.models import Q
from django.http import HttpRequest
from ninja import Header, Query, Router, Schema

from amends.api.schemas.cases import CaseCreateIn, CaseOut, CasePageOut, ErrorOut, MessageOut
from amends.cases.selectors import (
    QueueFilters,
    case_get_for_api,
    case_list_for_queue,
    case_public_messages,
)
from amends.cases.services.intake import case_open
from amends.core.errors import DomainError

router = Router(tags=["cases"])


@router.post("complaints", response={201: CaseOut, 400: ErrorOut}, summary="Create a complaint")
def complaint_create(
    request: HttpRequest,
    payload: CaseCreateIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Record a complaint from any channel; send the `Idempotency-Key` header to make retries safe."""
    data = payload.dict()
    case = case_open(
        **data,
        intake_key=f"api:{request.user.pk}:{idempotency_key}" if idempotency_key else None,
        actor=request.user,
    )
    return 201, case


@router.get("cases/{public_id}", response={200: CaseOut, 404: ErrorOut}, summary="Read a case")
def case_detail(request: HttpRequest, public_id: UUID):
    case = case_get_for_api(user=request.user, public_id=public_id)
    if case is None:
        return 404, {"code": "not_found", "message": "Not found."}
    return 200, case


@router.get(
    "cases/{public_id}/messages",
    response={200: list[MessageOut], 404: ErrorOut},
    summary="The case's messages to and from the customer (never internal notes)",
)
def case_messages(request: HttpRequest, public_id: UUID):
    case = case_get_for_api(user=request.user, public_id=public_id)
    if case is None:
        return 404, {"code": "not_found", "message": "Not found."}
    return 200, list(case_public_messages(case=case))


class CaseListFilters(Schema):
    status: Literal["", "new", "open", "waiting", "resolved", "closed"] = ""
    language: Literal["", "en", "he", "ar", "ru"] = ""
    category: str = ""
    priority: Literal["", "low", "normal", "high", "urgent"] = ""
    cursor: str = ""
    limit: int = 50


def _cursor_encode(case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        return datetime.fromisoformat(when), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise DomainError("Invalid cursor.", code="bad_cursor", field="cursor") from exc


@router.get("cases", response={200: CasePageOut, 400: ErrorOut}, summary="List cases, newest first")
def case_list(request: HttpRequest, filters: Query[CaseListFilters]):
    limit = max(1, min(filters.limit, 200))
    qs = case_list_for_queue(
        user=request.user,
        queue="all",
        filters=QueueFilters(
            status=filters.status,
            language=filters.language,
            category=filters.category,
            priority=filters.priority,
        ),
    )
    if filters.cursor:
        when, pk = _cursor_decode(filters.cursor)
        qs = qs.filter(Q(created_at__lt=when) | Q(created_at=when, id__lt=pk))
    items = list(qs[: limit + 1])
    next_cursor = _cursor_encode(items[limit - 1]) if len(items) > limit else None
    return 200, {"items": items[:limit], "next_cursor": next_cursor}
