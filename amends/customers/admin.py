from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from amends.customers.models import (
    Customer,
    CustomerIdentity,
    CustomerValueImport,
    ValuePriorityRule,
)
from amends.customers.value.figures import BANDS, FIGURES
from amends.customers.value.services import customer_value_set
from amends.privacy.admin import CustomerPrivacyActions


class IdentityInline(admin.TabularInline):
    model = CustomerIdentity
    extra = 0
    readonly_fields = ["created_at"]


class LifetimeValueBand(admin.SimpleListFilter):
    """Customers by lifetime value band (an index range scan on customer_lifetime_value)."""

    title = _("lifetime value")
    parameter_name = "value_band"

    def lookups(self, request, model_admin):
        labels = {
            "lt1k": _("below 1,000"),
            "1k": _("1,000 to 10,000"),
            "10k": _("10,000 to 100,000"),
            "100k": _("100,000 or more"),
        }
        return [*((code, labels[code]) for code, _low, _high in BANDS), ("unknown", _("not known"))]

    def queryset(self, request, queryset):
        if self.value() == "unknown":
            return queryset.filter(lifetime_value__isnull=True)
        for code, low, high in BANDS:
            if self.value() == code:
                queryset = queryset.filter(lifetime_value__gte=low)
                return queryset.filter(lifetime_value__lt=high) if high is not None else queryset
        return queryset


@admin.register(Customer)
class CustomerAdmin(CustomerPrivacyActions, admin.ModelAdmin):
    """Each change page shown is written to the access log; export and erasure are actions
    (amends.privacy). The value figures are saved through customer_value_set, so the lifetime
    value follows them and the change is audited."""

    list_display = ["full_name", "language", "lifetime_value", "created_at"]
    search_fields = ["full_name", "identities__value"]
    list_filter = ["language", LifetimeValueBand]
    inlines = [IdentityInline]
    readonly_fields = ["public_id", "created_at", "lifetime_value", "value_updated_at", "value_import_line"]
    fieldsets = [
        (None, {"fields": ["public_id", "full_name", "language", "preferred_channel", "notify_incidents"]}),
        (None, {"fields": ["address", "created_at"]}),
        (
            _("Customer value"),
            {"fields": [*FIGURES, "lifetime_value", "value_updated_at", "value_import_line"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        wanted = {name: getattr(obj, name) for name in FIGURES}
        stored = Customer.objects.filter(pk=obj.pk).values(*FIGURES).first() if change else None
        for name in FIGURES:  # the other fields as usual; the figures through the service
            setattr(obj, name, stored[name] if stored else None)
        super().save_model(request, obj, form, change)
        saved = customer_value_set(customer=obj, actor=request.user, **wanted)
        for name in [*FIGURES, "lifetime_value", "value_updated_at", "value_import_line"]:
            setattr(obj, name, getattr(saved, name))


@admin.register(ValuePriorityRule)
class ValuePriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["min_lifetime_value", "priority", "note", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["is_active", "priority"]


@admin.register(CustomerValueImport)
class CustomerValueImportAdmin(admin.ModelAdmin):
    """Imports are made on the desk; here they are listed (read-only) with a link to the report."""

    list_display = [
        "original_name",
        "uploaded_by",
        "status",
        "rows_applied",
        "rows_failed",
        "created_at",
        "report",
    ]
    list_filter = ["status"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("report"))
    def report(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("desk:value-import", args=[obj.public_id]), _("open")
        )
