"""A real Dovecot IMAP server for the poller's tests: Debian's `dovecot-imapd`, started on a free
loopback port with a throw-away configuration, one fresh account per test.

Dovecot 2.3 (Debian 12) is run in the foreground (`dovecot -F`) from a temporary directory that
holds its configuration, sockets, state, log, a self-signed certificate and the maildirs. It
listens only on loopback: plain IMAP with cleartext passwords, and IMAPS on a second port.
The processes run as:

- not root: everything as the current user (Dovecot's "rootless" mode);
- root: Dovecot refuses root for its login processes (`imap-login: Fatal: This process must not
  be run as root`) and for mail users (`invalid UID '0'`), so login runs as `dovenull`, the
  internal services as `dovecot` (both created by the Debian package) and mail as `nobody`,
  which owns the maildir directory.
"""

import grp
import imaplib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")
INSTALL_HINT = (
    "The IMAP poller's tests need Debian's Dovecot at /usr/sbin/dovecot: "
    "sudo apt-get install -y dovecot-imapd (or `make dovecot`, which CI runs)."
)
# A second loopback address on which the server hides MOVE and UIDPLUS, so the poller's
# COPY + \Deleted + EXPUNGE fallback runs against the same real server.
PLAIN_HOST = "127.0.0.2"
PLAIN_CAPABILITIES = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE"
START_SECONDS = 15
ACCOUNTS_PER_BATCH = 100  # written before the server starts: one per test

CONFIG = """\
# Throw-away configuration for the test suite (amends/mail/tests/dovecot.py).
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = amends-test-{port}
protocols = imap
listen = 127.0.0.1 {plain_host}
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
  # No growing delays after the tests' wrong passwords (Dovecot's brute-force penalty).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
local {plain_host} {{
  protocol imap {{
    imap_capability = {plain_capabilities}
  }}
}}
"""


@dataclass
class Account:
    """One IMAP account on the test server."""

    server: "Dovecot"
    username: str
    password: str

    def connect(self, host: str = "127.0.0.1") -> imaplib.IMAP4:
        conn = imaplib.IMAP4(host, self.server.port, timeout=10)
        conn.login(self.username, self.password)
        return conn

    def folder_create(self, folder: str) -> None:
        """Create a folder; the name as sent on the wire (ASCII, or modified UTF-7)."""
        with self.connect() as conn:
            typ, data = conn.create(folder)
        assert typ == "OK", data

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "") -> None:
        """Deliver a message into a folder, as a mail server would."""
        with self.connect() as conn:
            typ, data = conn.append(folder, flags or None, None, raw)
        assert typ == "OK", data

    def messages(self, folder: str = "INBOX") -> dict[bytes, set[str]]:
        """Message-ID → flags of every message in a folder, read without changing anything."""
        with self.connect() as conn:
            typ, data = conn.select(folder, readonly=True)
            if typ != "OK":
                return {}
            typ, data = conn.uid("fetch", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        found = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split())
            message_id = item[1].split(b":", 1)[1].strip() if b":" in item[1] else b""
            found[message_id] = flags
        return found


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int
    mail_uid: int
    mail_gid: int
    process: subprocess.Popen | None = None
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    _written: int = 0

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate (for 127.0.0.1), to trust in a test."""
        return self.root / "cert.pem"

    def account(self) -> Account:
        """A new account with an empty mailbox."""
        n = next(self._numbers)
        if n > self._written:
            self.accounts_write(first=n)
            time.sleep(1.1)  # Dovecot re-reads a changed passwd-file at most once a second
        return Account(server=self, username=f"user{n}", password=f"imap-pw-{n}")

    def accounts_write(self, *, first: int) -> None:
        with (self.root / "users").open("a") as users:
            for n in range(first, first + ACCOUNTS_PER_BATCH):
                home = self.root / "home" / f"user{n}"
                users.write(f"user{n}:{{PLAIN}}imap-pw-{n}:{self.mail_uid}:{self.mail_gid}::{home}::\n")
        self._written = first + ACCOUNTS_PER_BATCH - 1

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _certificate_make(root: Path) -> None:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem); tests that trust it point
    SSL_CERT_FILE at cert.pem."""
    key, cert = root / "key.pem", root / "cert.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
    names = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run([*command.split(), *names, "-keyout", key, "-out", cert], check=True, capture_output=True)


def dovecot_start() -> Dovecot:
    """Start Dovecot and wait until it greets on its port. Raises RuntimeError, with the log,
    if it does not."""
    # Not under pytest's tmp_path: that is private to the current user (0700), and as root the
    # mail processes run as `nobody`, who must reach the maildirs.
    root = Path(tempfile.mkdtemp(prefix="amends-dovecot-"))
    root.chmod(0o755)
    as_root = os.geteuid() == 0
    if as_root:
        internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid = nobody.pw_uid, nobody.pw_gid
    else:
        internal_user = login_user = pwd.getpwuid(os.geteuid()).pw_name
        internal_group = grp.getgrgid(os.getegid()).gr_name
        mail_uid, mail_gid = os.getuid(), os.getgid()
    for name in ("mail", "home"):
        (root / name).mkdir()
        if as_root:
            os.chown(root / name, mail_uid, mail_gid)
    server = Dovecot(root=root, port=free_port(), tls_port=free_port(), mail_uid=mail_uid, mail_gid=mail_gid)
    _certificate_make(root)
    server.accounts_write(first=1)
    (root / "users").chmod(0o644)  # read by the auth process, which runs as `dovecot` under root
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            port=server.port,
            tls_port=server.tls_port,
            plain_host=PLAIN_HOST,
            plain_capabilities=PLAIN_CAPABILITIES,
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
        )
    )
    with (root / "stderr.log").open("wb") as stderr:
        server.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=stderr
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1) as probe:
                if probe.recv(100).startswith(b"* OK"):
                    return server
        except OSError:
            time.sleep(0.05)
    output = (root / "stderr.log").read_text(errors="replace")
    log = server.log()
    server.stop()
    raise RuntimeError(f"Dovecot did not start on 127.0.0.1:{server.port}.\n{output}\n{log}")
