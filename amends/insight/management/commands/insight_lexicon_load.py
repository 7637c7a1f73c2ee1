from django.core.management.base import BaseCommand

from amends.insight.services import lexicon_defaults_load


class Command(BaseCommand):
    help = "Add the default lexicon entries (amends/insight/lexicons/*.toml) that the database lacks."

    def add_arguments(self, parser):
        parser.add_argument("languages", nargs="*", default=["en", "he", "ar", "ru"])

    def handle(self, *args, languages, **options):
        added = lexicon_defaults_load(languages=tuple(languages))
        self.stdout.write(f"{added} entries added.")
