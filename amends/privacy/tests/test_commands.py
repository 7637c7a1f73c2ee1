"""manage.py customer_export and customer_erase: the same services, logged as the command."""

import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from amends.core.models import AuditEvent
from amends.customers.models import Customer
from amends.privacy import events
from amends.privacy.models import AccessKind, AccessLogEntry
from amends.privacy.services.erasure import ERASED

pytestmark = pytest.mark.django_db


def test_customer_export_writes_the_zip_and_logs_the_command(history, tmp_path, capsys):
    # given
    path = tmp_path / "zephyrine.zip"
    # when
    call_command("customer_export", str(history.customer.public_id), str(path))
    # then
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("customer.json"))
    assert data["customer"]["full_name"] == "Zephyrine Quillfeather"
    assert data["internal_notes_included"] is False
    assert "2 case(s)" in capsys.readouterr().out
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.what) == (None, AccessKind.EXPORT)
    assert entry.actor_label.startswith("manage.py customer_export (")
    assert AuditEvent.objects.get(name=events.CUSTOMER_EXPORTED).actor_label == entry.actor_label


def test_customer_export_with_notes(history, tmp_path):
    # when
    call_command(
        "customer_export", str(history.customer.public_id), str(tmp_path / "x.zip"), "--include-notes"
    )
    # then
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        assert "spoke to Zephyrine by phone" in archive.read("customer.json").decode()


def test_customer_export_never_overwrites_a_file(history, tmp_path):
    # given
    path = tmp_path / "exists.zip"
    path.write_bytes(b"keep me")
    # when / then
    with pytest.raises(CommandError, match="already exists"):
        call_command("customer_export", str(history.customer.public_id), str(path))
    assert path.read_bytes() == b"keep me"
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("command", ["customer_export", "customer_erase"])
@pytest.mark.parametrize("public_id", ["00000000-0000-4000-8000-000000000000", "not-an-id"])
def test_an_unknown_customer_is_a_clear_error(db, tmp_path, command, public_id):
    args = [public_id, str(tmp_path / "x.zip")] if command == "customer_export" else [public_id, "--no-input"]
    with pytest.raises(CommandError, match="No customer with public id"):
        call_command(command, *args)
    assert not (tmp_path / "x.zip").exists()


def test_customer_erase_erases_and_logs_the_command(history, capsys):
    # when
    call_command("customer_erase", str(history.customer.public_id), "--no-input")
    # then
    assert Customer.objects.get(pk=history.customer.pk).full_name == ERASED
    event = AuditEvent.objects.get(name=events.CUSTOMER_ERASED)
    assert (event.actor, event.actor_label.startswith("manage.py customer_erase (")) == (None, True)
    assert "messages: 9" in capsys.readouterr().out


def test_customer_erase_asks_first_and_stops_without_the_word(history, monkeypatch):
    # given: the operator answers something other than "erase"
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    # when / then
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("customer_erase", str(history.customer.public_id))
    assert Customer.objects.get(pk=history.customer.pk).full_name == "Zephyrine Quillfeather"
    # and with the word it goes on
    monkeypatch.setattr("builtins.input", lambda prompt: "erase")
    call_command("customer_erase", str(history.customer.public_id))
    assert Customer.objects.get(pk=history.customer.pk).full_name == ERASED
