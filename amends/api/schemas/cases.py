from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import Field, field_validator, model_validator

LanguageCode = Literal["en", "he", "ar", "ru"]


class CaseCreateIn(Schema):
    body: str = Field(
        min_length=1, max_length=50_000, description="The customer's own words, stored verbatim."
    )
    full_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    language: LanguageCode = "en"
    subject: str = Field(default="", max_length=200)
    order_number: str = Field(default="", max_length=100)
    desired_outcome: Literal[
        "", "refund", "replacement", "repair", "credit", "apology", "record", "other"
    ] = ""
    desired_outcome_detail: str = Field(default="", max_length=500)
    channel: Literal["api", "web", "email", "phone", "walk_in", "letter"] = "api"
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    vulnerable: bool = False

    @field_validator("email")
    @classmethod
    def email_valid(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValueError("not a valid email address") from exc
        return value

    @model_validator(mode="after")
    def needs_contact(self):
        if not self.email and not self.phone.strip():
            raise ValueError("email or phone is required")
        return self


class PersonOut(Schema):
    name: str


class CaseOut(Schema):
    id: UUID = Field(alias="public_id")
    reference: str
    status: str
    priority: str
    channel: str
    language: str
    subject: str
    category: str | None
    owner: str | None
    desired_outcome: str
    vulnerable: bool
    decision: str
    resolution_type: str
    redress_amount: Decimal | None
    redress_currency: str
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    first_responded_at: datetime | None
    next_due_at: datetime | None
    sla_breached: bool
    first_response_seconds: int | None  # business time taken to the first response
    resolution_seconds: int | None  # business time taken to resolve
    resolved_at: datetime | None

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.full_name if obj.owner_id else None


class AttachmentOut(Schema):
    id: UUID = Field(alias="public_id")
    filename: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    purpose: str
    author_name: str
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
