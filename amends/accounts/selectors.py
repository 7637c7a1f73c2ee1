"""Reads for staff and API tokens."""

from django.db.models import QuerySet

from amends.accounts.models import ApiToken, Team, User


def user_list_assignable() -> QuerySet[User]:
    """Active staff who may own a case, for owner and transfer pickers."""
    return User.objects.filter(is_active=True).order_by("full_name")


def api_token_user(*, raw_key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw_key), revoked=False, user__is_active=True)
        .first()
    )
    return token.user if token else None


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")
