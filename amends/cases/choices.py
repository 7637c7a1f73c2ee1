from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class DesiredOutcome(models.TextChoices):
    """What the customer asks for (R-IN-4)."""

    REFUND = "refund", _("A refund")
    REPLACEMENT = "replacement", _("A replacement")
    REPAIR = "repair", _("A repair")
    CREDIT = "credit", _("A credit to my account")
    APOLOGY = "apology", _("An apology")
    RECORD = "record", _("Just record it")
    OTHER = "other", _("Something else")


class Decision(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class ResolutionType(models.TextChoices):
    """How the case was put right (R-RE-1)."""

    FIX = "fix", _("Fixed")
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    CREDIT = "credit", _("Credit")
    FREE_SERVICE = "free_service", _("Free service")
    APOLOGY = "apology", _("Apology")
    EXPLANATION = "explanation", _("Explanation")
    DECLINED = "declined", _("Declined with reason")


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("To the customer")
    NOTE = "note", _("Internal note")


class MessagePurpose(models.TextChoices):
    NONE = "", _("Message")
    QUESTION = "question", _("Question to the customer")
    HANDOFF = "handoff", _("Handoff summary")
    RESOLUTION = "resolution", _("Resolution summary")
