from django.core.management.base import BaseCommand
from django.db import transaction

from amends.core.secrets import reseal
from amends.mail.models import Mailbox


class Command(BaseCommand):
    help = (
        "Seal every IMAP mailbox password again with AMENDS_SECRETS_KEY, after a key change "
        "(the old key must still be listed in AMENDS_SECRETS_OLD_KEYS while this runs)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        mailboxes = list(Mailbox.objects.select_for_update().exclude(password_sealed=""))
        for mailbox in mailboxes:
            mailbox.password_sealed = reseal(mailbox.password_sealed)
            mailbox.save(update_fields=["password_sealed"])
        self.stdout.write(f"{len(mailboxes)} mailbox password(s) sealed with the current key.")
