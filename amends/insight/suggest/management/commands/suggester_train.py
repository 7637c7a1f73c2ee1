"""Train the cause-category suggester now (docs/subsystems/suggest.md)."""

from django.core.management.base import BaseCommand

from amends.insight.suggest.services import suggester_train


class Command(BaseCommand):
    help = (
        "Train the cause-category suggester on the seed set and every category agents confirmed "
        "or corrected, and store it; running workers use it for their next suggestion. Trains "
        "even when no new label came in since the last model."
    )

    def handle(self, *args, **options):
        row = suggester_train(force=True)
        accuracy = "n/a" if row.cv_accuracy is None else f"{row.cv_accuracy:.3f}"
        self.stdout.write(
            f"Model {row.version}: {row.seed_samples} seed and {row.label_samples} labelled texts "
            f"({', '.join(f'{k} {v}' for k, v in sorted(row.samples_by_language.items()))}), "
            f"{len(row.classes)} categories, cross-validated accuracy {accuracy} "
            f"on {row.cv_samples} texts, trained in {row.train_seconds:.1f} s."
        )
