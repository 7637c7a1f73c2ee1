from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from amends.mail.models import InboundMail, InboundStatus, Mailbox
from amends.mail.services import inbound_reprocess
from amends.mail.store import inbound_raw


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Every received email. The "unprocessable" filter is the list an admin works through:
    the error says why, "process again" retries after a fix, the raw message downloads."""

    list_display = ("received_at", "status", "from_address", "subject", "via", "case", "size", "attempts")
    list_filter = ("status", "via")
    search_fields = ("from_address", "subject", "message_id", "case__reference")
    list_select_related = ("case",)
    date_hierarchy = "received_at"
    actions = ["process_again", "download_raw"]
    exclude = ("raw",)
    readonly_fields = [f.name for f in InboundMail._meta.fields if f.name != "raw"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # received mail is evidence; nothing is silently dropped

    @admin.action(description=_("Process again"))
    def process_again(self, request, queryset):
        rows = list(queryset.filter(status=InboundStatus.UNPROCESSABLE).values_list("pk", flat=True))
        for pk in rows:
            inbound_reprocess(mail_id=pk)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(rows))
            % {"count": len(rows)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Download the raw message (.eml)"))
    def download_raw(self, request, queryset):
        row = queryset.defer("raw").first()
        response = HttpResponse(inbound_raw(mail_id=row.pk), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="inbound-{row.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class MailboxForm(forms.ModelForm):
    """The password is typed, never shown back: blank keeps the one stored (sealed)."""

    new_password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "host",
            "port",
            "use_ssl",
            "username",
            "new_password",
            "folder",
            "move_to",
            "max_per_run",
            "timeout_seconds",
            "is_active",
        )

    def clean(self):
        data = super().clean()
        if not self.instance.password_sealed and not data.get("new_password"):
            self.add_error("new_password", _("Give the mailbox's password."))
        return data

    def save(self, commit=True):
        if self.cleaned_data.get("new_password"):
            self.instance.password = self.cleaned_data["new_password"]
        return super().save(commit=commit)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "host", "port", "username", "folder", "move_to", "is_active", "last_polled_at")
    list_editable = ("is_active",)
    readonly_fields = ("last_polled_at", "last_error")
