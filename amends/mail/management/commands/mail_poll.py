"""Poll the IMAP mailboxes once: `manage.py mail_poll [--mailbox NAME]` (the worker does this
every AMENDS_PERIODIC_SECONDS; the command is for cron setups and for trying a new mailbox)."""

from django.core.management.base import BaseCommand, CommandError

from amends.mail.imap import mailbox_poll
from amends.mail.models import Mailbox


class Command(BaseCommand):
    help = "Fetch unread mail from the active IMAP mailboxes once, or from one named mailbox."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="poll only this mailbox (by name), even if it is not active")

    def handle(self, *args, **options):
        if options["mailbox"]:
            mailboxes = list(Mailbox.objects.filter(name=options["mailbox"]))
            if not mailboxes:
                raise CommandError(f"No IMAP mailbox is named {options['mailbox']!r}.")
        else:
            mailboxes = list(Mailbox.objects.filter(is_active=True).order_by("pk"))
        failed = 0
        for mailbox in mailboxes:
            result = mailbox_poll(mailbox=mailbox)
            failed += bool(result.errors)
            self.stdout.write(str(result))
        if failed:
            raise CommandError(f"{failed} of {len(mailboxes)} mailboxes reported errors (see last_error).")
