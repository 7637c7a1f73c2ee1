from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amends.privacy.selectors import customer_get_by_public_id
from amends.privacy.services.access import command_actor_label
from amends.privacy.services.export import customer_export


class Command(BaseCommand):
    help = (
        "Write one customer's data (customer.json and their files) to a new ZIP file. "
        "The export is written to the access log and the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("public_id", help="The customer's public id (admin → Customers).")
        parser.add_argument("path", help="The ZIP file to write; it must not exist yet.")
        parser.add_argument(
            "--include-notes",
            action="store_true",
            help="Add internal notes (see docs/decisions/0011-customer-export-and-erasure.md).",
        )

    def handle(self, *args, public_id: str, path: str, include_notes: bool, **options):
        customer = customer_get_by_public_id(public_id=public_id)
        if customer is None:
            raise CommandError(f"No customer with public id {public_id!r}.")
        target = Path(path)
        try:
            out = target.open("xb")  # never overwrites
        except FileExistsError as exc:
            raise CommandError(f"{target} already exists; give a new file name.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {target}: {exc.strerror}.") from exc
        try:
            with out:
                counts = customer_export(
                    customer=customer,
                    out=out,
                    include_notes=include_notes,
                    actor_label=command_actor_label("customer_export"),
                )
        except BaseException:
            target.unlink(missing_ok=True)  # no half-written export left behind
            raise
        self.stdout.write(
            f"Wrote {target}: {counts.cases} case(s), {counts.messages} message(s), "
            f"{counts.attachments} file(s), {counts.notifications} notification(s)."
        )
