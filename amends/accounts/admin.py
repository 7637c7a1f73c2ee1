from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from amends.accounts.models import ApiToken, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "role", "sees_all_teams", "is_active"]
    list_filter = ["role", "teams", "sees_all_teams", "is_senior", "is_active"]
    search_fields = ["username", "full_name", "email"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            "Profile",
            {"fields": ["full_name", "email", "role", "languages", "teams", "sees_all_teams", "is_senior"]},
        ),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "email", "role", "password1", "password2"]}),
    ]
    filter_horizontal = ["teams", "groups", "user_permissions"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "calendar"]
    list_select_related = ["calendar"]
    fields = ["name", "slug", "calendar"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "revoked", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are made with `manage.py api_token_create` so the raw key is shown once.
        return False
