"""IMAP mailbox passwords are sealed at rest, never shown back by the admin, and survive a
change of key."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from amends.core.secrets import SecretUnreadable
from amends.mail.models import Mailbox

pytestmark = pytest.mark.django_db


def _stored(mailbox: Mailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_sealed FROM mail_mailbox WHERE id = %s", [mailbox.pk])
        return cursor.fetchone()[0]


def test_the_password_is_not_in_the_database_in_clear():
    mailbox = Mailbox.objects.create(
        name="care", host="imap.example.com", username="care", password="s3cret-IMAP"
    )
    assert "s3cret" not in _stored(mailbox)
    assert Mailbox.objects.get(pk=mailbox.pk).password == "s3cret-IMAP"


def test_a_key_change_keeps_passwords_readable_and_reseal_moves_them(settings):
    mailbox = Mailbox.objects.create(name="care", host="imap.example.com", username="care", password="pw-1")
    old_key = settings.AMENDS_SECRETS_KEY
    settings.AMENDS_SECRETS_KEY, settings.AMENDS_SECRETS_OLD_KEYS = "a-new-key", []
    with pytest.raises(SecretUnreadable):
        _ = Mailbox.objects.get(pk=mailbox.pk).password  # the old key is gone: said, not garbled
    settings.AMENDS_SECRETS_OLD_KEYS = [old_key]
    assert Mailbox.objects.get(pk=mailbox.pk).password == "pw-1"
    call_command("mailbox_passwords_reseal", stdout=None)
    settings.AMENDS_SECRETS_OLD_KEYS = []
    assert Mailbox.objects.get(pk=mailbox.pk).password == "pw-1"


def test_the_admin_never_shows_the_password_and_blank_keeps_it(admin_client):
    mailbox = Mailbox.objects.create(
        name="care", host="imap.example.com", username="care", password="pw-keep"
    )
    url = reverse("admin:mail_mailbox_change", args=[mailbox.pk])
    page = admin_client.get(url).content.decode()
    assert "pw-keep" not in page and mailbox.password_sealed not in page
    form = {
        "name": "care",
        "host": "imap.example.com",
        "port": 993,
        "use_ssl": "on",
        "username": "care2",
        "new_password": "",
        "folder": "INBOX",
        "move_to": "",
        "max_per_run": 200,
        "timeout_seconds": 30,
        "is_active": "on",
    }
    saved = admin_client.post(url, form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    mailbox.refresh_from_db()
    assert mailbox.username == "care2" and mailbox.password == "pw-keep"
    assert admin_client.post(url, {**form, "new_password": "pw-new"}).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password == "pw-new"
    add = admin_client.post(reverse("admin:mail_mailbox_add"), {**form, "name": "new", "new_password": ""})
    assert add.status_code == 200 and not Mailbox.objects.filter(name="new").exists()  # a password is needed
