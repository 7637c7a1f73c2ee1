"""Take one message from an MTA pipe (Postfix, Exim): `manage.py mailgate < message.eml`.

Exit codes follow sysexits.h, which MTAs understand: 0 stored (the MTA may forget the mail);
75 EX_TEMPFAIL on any failure to store (the MTA keeps the mail and retries); 65 EX_DATAERR for
an empty message or one over AMENDS_MAIL_MAX_BYTES (permanent: the MTA bounces it to the
sender, who learns it was not taken).
"""

import sys

from django.core.management.base import BaseCommand

from amends.mail.models import Via
from amends.mail.store import MailTooLarge, inbound_store

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75


class Command(BaseCommand):
    help = "Store one RFC 5322 message read on standard input (for an MTA pipe)."
    # An MTA starts a process per mail: the system checks (which import every URLconf, view
    # and API schema) would cost ~0.15 s each time. `manage.py check` runs them at deploy.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--sender", default="", help="envelope sender (Postfix: ${sender})")
        parser.add_argument("--recipient", action="append", default=[], help="envelope recipient")

    def handle(self, *args, **options):
        try:
            raw = sys.stdin.buffer.read()
            if not raw or raw.isspace():  # not strip(): that copies a 30 MB message
                self.stderr.write("mailgate: empty message")
                sys.exit(EX_DATAERR)
            inbound_store(
                raw=raw, via=Via.PIPE, envelope_from=options["sender"], envelope_to=options["recipient"]
            )
        except MailTooLarge as exc:
            self.stderr.write(f"mailgate: message too large ({exc} bytes)")
            sys.exit(EX_DATAERR)
        except SystemExit:
            raise
        except BaseException as exc:  # any failure to store: the MTA must keep the mail and retry
            self.stderr.write(f"mailgate: could not store the message, try again later: {exc!r}")
            sys.exit(EX_TEMPFAIL)
        sys.exit(EX_OK)
