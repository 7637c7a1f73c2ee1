"""Problems and incidents change on the desk, where every change is an audit event: the admin
only shows them (read-only), for administrators who look something up."""

from django.contrib import admin

from amends.learning.models import CorrectiveAction, Incident, Problem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    extra = 0
    fields = ["title", "owner", "due_date", "status", "done_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "root_cause", "owner", "fixed_at", "created_at"]
    list_filter = ["status", "root_cause"]
    search_fields = ["title"]
    readonly_fields = [f.name for f in Problem._meta.fields]
    # The linked cases (possibly thousands) are on the desk's problem page, not here.
    inlines = [CorrectiveActionInline]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "started_at", "fixed_at", "owner"]
    list_filter = ["status"]
    search_fields = ["title", "keywords"]
    readonly_fields = [f.name for f in Incident._meta.fields]
