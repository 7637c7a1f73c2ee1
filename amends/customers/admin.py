from django.contrib import admin

from amends.customers.models import Customer, CustomerIdentity
from amends.privacy.admin import CustomerPrivacyActions


class IdentityInline(admin.TabularInline):
    model = CustomerIdentity
    extra = 0
    readonly_fields = ["created_at"]


@admin.register(Customer)
class CustomerAdmin(CustomerPrivacyActions, admin.ModelAdmin):
    """Each change page shown is written to the access log; export and erasure are actions
    (amends.privacy)."""

    list_display = ["full_name", "language", "created_at"]
    search_fields = ["full_name", "identities__value"]
    list_filter = ["language"]
    inlines = [IdentityInline]
    readonly_fields = ["public_id", "created_at"]
