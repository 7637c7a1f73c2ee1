"""Business-rule failures: a stable code for machines and a translated message for people."""

from django.utils.functional import Promise


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class InvalidTransition(DomainError):
    code = "invalid_transition"


class PermissionDenied(DomainError):
    code = "permission_denied"


class Conflict(DomainError):
    """Someone else changed the object first (e.g. claimed the case)."""

    code = "conflict"
