"""Writes for staff, teams and API tokens."""

import secrets

from django.db import transaction

from amends.accounts.models import ApiToken, Role, Team, User


@transaction.atomic
def team_create(*, name: str, slug: str) -> Team:
    team = Team(name=name, slug=slug)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    full_name: str,
    password: str | None = None,
    role: str = Role.AGENT,
    languages: list[str] | None = None,
    teams: list[Team] | None = None,
    sees_all_teams: bool = False,
) -> User:
    user = User(
        username=username,
        email=email,
        full_name=full_name,
        role=role,
        languages=languages or [],
        sees_all_teams=sees_all_teams,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if teams:
        user.teams.set(teams)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw key is returned once and never stored."""
    raw = "amd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(raw), prefix=raw[4:12])
    return token, raw
