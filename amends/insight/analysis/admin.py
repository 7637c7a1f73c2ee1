from django.contrib import admin

from amends.insight.analysis.models import ActionRule, JargonTerm, MessageAnalysis


@admin.register(ActionRule)
class ActionRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "signal", "min_level", "only_after_our_reply", "action", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["signal", "action", "is_active"]
    ordering = ["position", "id"]


@admin.register(MessageAnalysis)
class MessageAnalysisAdmin(admin.ModelAdmin):
    """Read-only: what the drain found, for checking a rule's effect."""

    list_display = ["message_id", "case", "language", "anger_level", "after_our_reply", "analysed_at"]
    list_filter = ["language", "anger_level"]
    raw_id_fields = ["message", "case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JargonTerm)
class JargonTermAdmin(admin.ModelAdmin):
    list_display = ["term", "language", "plain_words", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["language", "is_active"]
    search_fields = ["term"]
