"""Fixtures for the mail tests: a real Dovecot IMAP server (amends/mail/tests/dovecot.py)."""

import os

import pytest

from amends.mail.models import Mailbox
from amends.mail.tests.dovecot import DOVECOT, INSTALL_HINT, dovecot_start


@pytest.fixture(scope="session")
def dovecot():
    """One Dovecot for the session, started on first use; it fails (never skips) if missing."""
    if not (DOVECOT.is_file() and os.access(DOVECOT, os.X_OK)):
        pytest.fail(INSTALL_HINT, pytrace=False)
    try:
        server = dovecot_start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot):
    """A fresh IMAP account with an empty mailbox on the test server."""
    return dovecot.account()


@pytest.fixture
def make_mailbox(db, dovecot):
    """A Mailbox row (as an admin would enter it) reading a fresh account, or the one given."""

    def make(account=None, **fields) -> Mailbox:
        account = account or dovecot.account()
        values = {
            "name": f"care-{account.username}",
            "host": "127.0.0.1",
            "port": dovecot.port,
            "use_ssl": False,
            "username": account.username,
            "password": account.password,
            "timeout_seconds": 5,
        }
        return Mailbox.objects.create(**{**values, **fields})

    return make
