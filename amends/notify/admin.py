from django.contrib import admin

from amends.notify.models import Notification, OutboxEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["case", "event", "language", "to_address", "status", "attempts", "created_at"]
    list_filter = ["status", "event", "language"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
