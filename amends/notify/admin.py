from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from amends.notify.models import Notification, OutboxEmail
from amends.notify.services import notification_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["case", "event", "language", "to_address", "status", "attempts", "created_at"]
    list_filter = ["status", "event", "language"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]

    @admin.action(description=_("Try sending again"))
    def resend(self, request, queryset):
        for notification_id in queryset.values_list("pk", flat=True):
            notification_resend(notification_id=notification_id)

    def has_add_permission(self, request):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
