from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from amends.privacy.selectors import customer_get_by_public_id
from amends.privacy.services.access import command_actor_label
from amends.privacy.services.erasure import customer_erase


class Command(BaseCommand):
    help = (
        "Erase one customer: personal details, the words of every message, files and received "
        "mail go; the cases stay for the statistics. Cannot be undone; running it again is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("public_id", help="The customer's public id (admin → Customers).")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, public_id: str, interactive: bool, **options):
        customer = customer_get_by_public_id(public_id=public_id)
        if customer is None:
            raise CommandError(f"No customer with public id {public_id!r}.")
        if interactive:
            answer = input(
                f"Erase customer {customer.public_id}? This cannot be undone. Type 'erase' to go on: "
            )
            if answer.strip() != "erase":
                raise CommandError("Nothing erased.")
        counts = customer_erase(customer=customer, actor_label=command_actor_label("customer_erase"))
        changed = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in asdict(counts).items())
        self.stdout.write(f"Erased customer {customer.public_id} ({changed}).")
