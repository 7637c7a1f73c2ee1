from django.core.management.base import BaseCommand, CommandError

from amends.accounts.models import User
from amends.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff member and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'shop integration'")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff member with username {username!r}.")
        _token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
