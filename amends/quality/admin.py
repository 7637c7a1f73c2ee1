"""The scorecard's criteria are edited here (reworded, reordered, switched off, added).
Reviews and kudos are written on the desk, where each is an audit event on its case: the admin
only shows them."""

from django.contrib import admin

from amends.quality.models import Criterion, Kudos, Review, ReviewScore


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_display_links = ["name"]
    fields = ["code", "label", "hint", "position", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # Scores point at the code's row; renaming a code would not change what was scored.
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # switch a criterion off instead: reviews keep pointing at it


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    fields = ["criterion", "rating", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "agent", "reviewer", "score", "created_at"]
    list_filter = ["agent"]
    list_select_related = ["case", "agent", "reviewer"]
    readonly_fields = [f.name for f in Review._meta.fields]
    inlines = [ReviewScoreInline]


@admin.register(Kudos)
class KudosAdmin(ReadOnlyAdmin):
    list_display = ["case", "agent", "source", "created_at"]
    list_filter = ["source", "agent"]
    list_select_related = ["case", "agent"]
    readonly_fields = [f.name for f in Kudos._meta.fields]
