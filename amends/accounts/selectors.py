"""Reads for staff and API tokens."""

from datetime import timedelta

from django.db.models import QuerySet

from amends.accounts.models import ApiToken, Team, User
from amends.core import clock


def user_list_assignable() -> QuerySet[User]:
    """Active staff who may own a case, for owner and transfer pickers."""
    return User.objects.filter(is_active=True).order_by("full_name")


def api_token_user(*, raw_key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw_key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    # At most one write an hour per token, so busy integrations do not pay a write per request.
    if token.last_used_at is None or token.last_used_at < now - timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")
