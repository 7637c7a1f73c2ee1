"""The access log in the admin (read-only, searchable), and the privacy actions on customers:
export their data, erase them. CustomerAdmin (amends.customers.admin) mixes the actions in."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.http import FileResponse, HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from amends.privacy.models import AccessKind, AccessLogEntry
from amends.privacy.selectors import access_log_search, customers_with_case_counts
from amends.privacy.services.access import access_record
from amends.privacy.services.erasure import customer_erase
from amends.privacy.services.export import customer_export_file, export_filename


class DateRangeFilter(admin.FieldListFilter):
    """From one day to another, both included, in the site's time zone (Django's own date
    filter offers only today, the past 7 days, this month and this year)."""

    template = "privacy/admin/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_name = f"{field_path}__since"
        self.until_name = f"{field_path}__until"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.since = self._date(request, self.since_name)
        self.until = self._date(request, self.until_name)

    def _date(self, request: HttpRequest, name: str) -> date | None:
        value = request.GET.get(name, "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            messages.error(
                request, _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": value}
            )
            return None

    def expected_parameters(self) -> list[str]:
        return [self.since_name, self.until_name]

    def queryset(self, request, queryset):
        zone = timezone.get_current_timezone()
        if self.since:
            queryset = queryset.filter(
                **{f"{self.field_path}__gte": datetime.combine(self.since, time.min, zone)}
            )
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time.min, zone)
            queryset = queryset.filter(**{f"{self.field_path}__lt": end})
        return queryset

    def choices(self, changelist):
        ours = set(self.expected_parameters())
        yield {
            "since_name": self.since_name,
            "until_name": self.until_name,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            # The other filters and the search stay as they are when the range is applied.
            "hidden": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name not in ours
                for value in values
            ],
            "clear_url": changelist.get_query_string(remove=list(ours)),
        }


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence. Search by staff member, customer or case reference;
    filter by date range and by what was looked at."""

    list_display = ["at", "who", "what", "customer", "case_reference", "detail", "ip"]
    list_filter = [("at", DateRangeFilter), "what"]
    list_select_related = ["user", "customer", "case"]
    search_fields = ["case__reference"]  # shows the search box; get_search_results does the work
    search_help_text = gettext_lazy(
        "A staff member (user name, email or name), a customer (name, email or id), or a case reference."
    )
    show_full_result_count = False  # no COUNT(*) of the whole log on every page
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        return access_log_search(queryset, search_term), False

    @admin.display(description=gettext_lazy("who"), ordering="user__full_name")
    def who(self, entry: AccessLogEntry) -> str:
        return str(entry.user) if entry.user_id else entry.actor_label

    @admin.display(description=gettext_lazy("case"), ordering="case__reference")
    def case_reference(self, entry: AccessLogEntry) -> str:
        return entry.case.reference if entry.case_id else "—"


class CustomerPrivacyActions:
    """For CustomerAdmin: log every view of a customer's change page, and the export and
    erase actions (permissions privacy.export_customer and privacy.erase_customer)."""

    actions = ["export_data", "export_data_with_notes", "erase_customers"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if response.status_code == 200:  # shown (not a redirect for an unknown id or a save)
            access_record(
                request=request, customer_id=int(unquote(object_id)), what=AccessKind.ADMIN_CUSTOMER
            )
        return response

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.export_customer")

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.erase_customer")

    @admin.action(description=gettext_lazy("Export the customer's data (ZIP)"), permissions=["export"])
    def export_data(self, request, queryset):
        return self._export(request, queryset, include_notes=False)

    @admin.action(
        description=gettext_lazy("Export the customer's data with internal notes (ZIP)"),
        permissions=["export"],
    )
    def export_data_with_notes(self, request, queryset):
        return self._export(request, queryset, include_notes=True)

    def _export(self, request, queryset, *, include_notes: bool):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose exactly one customer to export."), messages.WARNING)  # type: ignore[attr-defined]
            return None
        out, _counts = customer_export_file(customer=chosen[0], include_notes=include_notes, request=request)
        return FileResponse(
            out, as_attachment=True, filename=export_filename(chosen[0]), content_type="application/zip"
        )

    @admin.action(description=gettext_lazy("Erase the customer (cannot be undone)"), permissions=["erase"])
    def erase_customers(self, request, queryset):
        """A confirmation page first (like Django's delete); erased on its "Yes"."""
        if request.POST.get("confirm") != "yes":
            return self._erase_confirmation(request, queryset)
        erased = 0
        for customer in queryset.order_by("pk"):
            customer_erase(customer=customer, actor=request.user)
            erased += 1
        self.message_user(  # type: ignore[attr-defined]
            request,
            ngettext("%(count)d customer erased.", "%(count)d customers erased.", erased) % {"count": erased},
            messages.SUCCESS,
        )
        return None

    def _erase_confirmation(self, request, queryset) -> TemplateResponse:
        opts = self.model._meta  # type: ignore[attr-defined]
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": _("Erase these customers?"),
            "opts": opts,
            "customers": customers_with_case_counts(queryset),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "erase_customers",
        }
        return TemplateResponse(request, "privacy/admin/erase_confirmation.html", context)
