"""Secrets Amends must read back (an IMAP mailbox's password), sealed at rest.

Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package) with a key derived from
AMENDS_SECRETS_KEY (default: the SECRET_KEY). A database dump alone does not reveal them. To
change the key, put the old one in AMENDS_SECRETS_OLD_KEYS: values sealed with it still open,
and `manage.py mailbox_passwords_reseal` seals them again with the new one
(docs/operations.md).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """Sealed with a key that is no longer configured (or not sealed by us at all)."""


def _fernet() -> MultiFernet:
    keys = [settings.AMENDS_SECRETS_KEY, *settings.AMENDS_SECRETS_OLD_KEYS]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"amends-secrets:{k}".encode()).digest()))
            for k in keys
        ]
    )


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("sealed with a key that is not configured (AMENDS_SECRETS_OLD_KEYS)") from exc


def reseal(token: str) -> str:
    """The same secret sealed with the current key."""
    return _fernet().rotate(token.encode()).decode() if token else ""
