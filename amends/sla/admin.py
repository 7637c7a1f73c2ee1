from django.contrib import admin
from django.db.models import Count
from django.template.defaultfilters import linebreaksbr, urlize
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.cases.choices import Channel, Priority
from amends.sla.forms import (
    CalendarForm,
    ClosureForm,
    EscalationRuleForm,
    PolicyForm,
    RegimeClockForm,
    RegimeForm,
    WorkingHoursForm,
    WorkingHoursFormSet,
)
from amends.sla.models import (
    Calendar,
    CaseClock,
    Closure,
    Commitment,
    Escalation,
    EscalationRule,
    FollowUp,
    Policy,
    Regime,
    RegimeClock,
    WorkingHours,
)

ANY = _("any")


def duration_display(minutes: int | None) -> str | None:
    """Business minutes as hours and minutes ("1 h 30 min"); None shows the admin's empty value."""
    if minutes is None:
        return None
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(minutes)d min") % {"minutes": rest}


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    form = WorkingHoursForm
    formset = WorkingHoursFormSet

    def get_extra(self, request, obj=None, **kwargs):
        return 5 if obj is None else 0  # room for a working week on a new calendar


class ClosureInline(admin.TabularInline):
    model = Closure
    form = ClosureForm
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "country", "subdivision", "eve_hours", "is_default"]
    list_filter = ["is_default", "country"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline, ClosureInline]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = [
        "name",
        "position",
        "is_active",
        "priority_display",
        "channel_display",
        "category_display",
        "team_display",
        "first_response",
        "next_response",
        "resolution",
        "calendar",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "team"]
    list_select_related = ["category", "team", "calendar"]
    ordering = ["position", "id"]
    fieldsets = [
        (
            None,
            {
                "description": _(
                    "The first active policy in this order whose conditions all match a case "
                    "applies to it. An empty condition matches any case."
                ),
                "fields": ["name", "position", "is_active"],
            },
        ),
        (_("Conditions"), {"fields": ["priority", "channel", "category", "team"]}),
        (
            _("Targets in business time"),
            {
                "fields": [
                    "calendar",
                    "first_response_minutes",
                    "next_response_minutes",
                    "resolution_minutes",
                    "pause_when_waiting",
                    "warn_percent",
                    "reminder_minutes",
                ]
            },
        ),
    ]

    @admin.display(description=_("priority"), ordering="priority")
    def priority_display(self, policy: Policy) -> str:
        return Priority(policy.priority).label if policy.priority else ANY

    @admin.display(description=_("channel"), ordering="channel")
    def channel_display(self, policy: Policy) -> str:
        return Channel(policy.channel).label if policy.channel else ANY

    @admin.display(description=_("cause category"))
    def category_display(self, policy: Policy) -> str:
        return policy.category.name if policy.category else ANY

    @admin.display(description=_("team"))
    def team_display(self, policy: Policy) -> str:
        return policy.team.name if policy.team else ANY

    @admin.display(description=_("first response"), ordering="first_response_minutes")
    def first_response(self, policy: Policy) -> str | None:
        return duration_display(policy.first_response_minutes)

    @admin.display(description=_("next response"), ordering="next_response_minutes")
    def next_response(self, policy: Policy) -> str | None:
        return duration_display(policy.next_response_minutes)

    @admin.display(description=_("resolution"), ordering="resolution_minutes")
    def resolution(self, policy: Policy) -> str | None:
        return duration_display(policy.resolution_minutes)


class RegimeClockInline(admin.TabularInline):
    model = RegimeClock
    form = RegimeClockForm
    extra = 0


@admin.register(Regime)
class RegimeAdmin(admin.ModelAdmin):
    form = RegimeForm
    list_display = ["name", "code", "is_active", "clock_count", "source_short"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "source"]
    readonly_fields = ["source_text"]
    inlines = [RegimeClockInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(clock_count=Count("clocks"))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["name", "code", "source", "is_active", "alert_percent", "calendar"]})]
        # The rule text comes first, readable: it is what the clocks below must match.
        return [
            (None, {"fields": ["name", "code", "source_text", "is_active", "alert_percent", "calendar"]}),
            (_("Edit the rule text"), {"fields": ["source"], "classes": ["collapse"]}),
        ]

    @admin.display(description=_("clocks"), ordering="clock_count")
    def clock_count(self, regime: Regime) -> int:
        return regime.clock_count  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description=_("source"))
    def source_short(self, regime: Regime) -> str:
        return Truncator(regime.source).chars(80)

    @admin.display(description=_("source"))
    def source_text(self, regime: Regime) -> str:
        return linebreaksbr(urlize(regime.source, autoescape=True), autoescape=True)


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    form = EscalationRuleForm
    list_display = ["percent", "clock_kind_display", "recipient", "is_active"]
    list_display_links = ["percent"]
    list_editable = ["is_active"]
    list_filter = ["is_active", "recipient", "clock_kind"]

    @admin.display(description=_("clock"), ordering="clock_kind")
    def clock_kind_display(self, rule: EscalationRule) -> str:
        return rule.get_clock_kind_display() if rule.clock_kind else _("every clock")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the SLA services write (with their audit events); the admin may look, not touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseClock)
class CaseClockAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "label", "state", "due_at", "breached_at", "policy", "calendar"]
    list_filter = ["state", "kind", "business_time", "pausable"]
    list_select_related = ["case", "policy", "calendar"]
    search_fields = ["case__reference", "label"]
    date_hierarchy = "started_at"


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "owner", "due_at", "status", "times_moved", "reminded_at", "settled_at"]
    list_filter = ["status"]
    list_select_related = ["case", "owner"]
    search_fields = ["case__reference", "description"]
    date_hierarchy = "due_at"


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["case", "reason", "recipient", "percent", "created_at", "handled_at", "handled_by"]
    list_filter = ["reason", "recipient", ("handled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case", "handled_by"]
    search_fields = ["case__reference", "note"]
    date_hierarchy = "created_at"


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "send_at", "sent_at", "answered_at", "solved", "rating"]
    list_filter = ["status", "solved", "rating"]
    list_select_related = ["case"]
    search_fields = ["case__reference"]
    date_hierarchy = "send_at"
