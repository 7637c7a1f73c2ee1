from django.contrib import admin

from amends.cases.models import Attachment, Case, Category, Message, RootCause


@admin.register(Category, RootCause)
class NamedCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_he", "name_ar", "name_ru", "is_active", "position"]
    list_editable = ["is_active", "position"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["kind", "author_name", "body", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # Cases change only through the desk (lifecycle services write the audit trail), so the
    # admin is read-only for them.
    list_display = ["reference", "status", "priority", "owner", "language", "channel", "created_at"]
    list_filter = ["status", "priority", "language", "channel", "category"]
    search_fields = ["reference", "customer__full_name"]
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [MessageInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would erase the audit trail; erasure on request is a separate, logged act.
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size"]
    readonly_fields = ["filename", "content_type", "size", "sha256", "message"]
