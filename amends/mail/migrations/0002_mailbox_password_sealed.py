"""IMAP mailbox passwords sealed at rest: the plain column is replaced by a sealed one, and any
password already stored is sealed on the way (and opened again on the way back)."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from amends.core.secrets import seal

    Mailbox = apps.get_model("mail", "Mailbox")
    for mailbox in Mailbox.objects.all():
        mailbox.password_sealed = seal(mailbox.password)
        mailbox.save(update_fields=["password_sealed"])


def open_again(apps, schema_editor):
    from amends.core.secrets import unseal

    Mailbox = apps.get_model("mail", "Mailbox")
    for mailbox in Mailbox.objects.all():
        mailbox.password = unseal(mailbox.password_sealed)[:200]
        mailbox.save(update_fields=["password"])


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="password_sealed",
            field=models.TextField(blank=True, verbose_name="password (sealed)"),
        ),
        migrations.AlterField(
            model_name="mailbox",
            name="password",
            field=models.CharField(blank=True, max_length=200, verbose_name="password"),
        ),
        migrations.RunPython(seal_existing, open_again),
        migrations.RemoveField(model_name="mailbox", name="password"),
    ]
