"""Email in and out on one worker: 10,000 mails through mailgate and through IMAP into a database
of 100,000 cases, acknowledgements out to an SMTP sink, and the memory a 25 MB attachment costs.

    python bench/mail.py [--db postgres|sqlite|both] [--cases 100000] [--mails 10000]
                         [--imap-mails 10000] [--outbound 5000] [--subprocess-mails 200]
                         [--sqlite-cases 100000] [--sqlite-mails 2000] [--keep] [--live-tree]

Issue 4, point 8: "10,000 mails through mailgate and through IMAP into a database already
holding 100,000 cases: ≥ 250 mails/s end to end on one worker on PostgreSQL (store raw, parse,
thread, create/append, acknowledge); outbound ≥ 200 mails/s to a local SMTP sink; a 25 MB
attachment does not raise a worker above 300 MB RSS."

Like bench/sweep.py it measures the committed HEAD exported to a temporary folder (--live-tree: a
copy of the working tree) in child processes, against its own PostgreSQL database amends_bench_mail on
the server of $BENCH_PG_URL (dropped, created, and dropped at the end unless --keep). The
PostgreSQL child:

 1. loads: migrate, bench/generate.py's 100,000 cases (customers with email identities,
    messages, each case's "received" notification), then gives every sent notification a
    Message-ID and the customer's address, and the open cases their SLA clocks (first response,
    resolution; met, running or paused as the case stands); VACUUM ANALYZE.
 2. writes the mails (MailMaker): ~60% new complaints in he/ar/ru/en, in utf-8 and the legacy
    charsets (windows-1255, iso-8859-8-i, windows-1256, iso-8859-6, koi8-r, windows-1251, cp866),
    RFC 2047 subjects, some HTML alternatives or HTML only, 20% from known customers; ~30%
    replies from the case's customer threading by In-Reply-To to one of our notification
    Message-IDs or by the [AM-XXXXXX] tag alone, quoted history in the reply style of each
    language, to open, resolved and closed cases; 1.2% spoofed replies (held); 5% automatic
    mail (out of office, X-Autoreply, bulk, list); 5% with a 15-80 kB PDF/PNG/JPEG attachment;
    0.3% delivery reports for our notifications. Every mail records what must become of it.
 3. store: each mail through the mailgate command in this process (stdin replaced), timed.
 4. process: the drain the worker runs (mail.tasks.inbound_drain_task: inbound_process_pending,
    50 stored mails to a transaction) until no stored mail is left; the acknowledgements it
    queues wait for step 5. Each mail's outcome is checked against what it was written for.
    Then end to end: as many other mails through mailgate in a second (forked) process while
    this one runs the drain, timed from the first stored to the last taken in.
 5. outbound: the same worker sends the queued acknowledgements (up to --outbound) through
    Django's SMTP backend to an aiosmtpd sink running in another process.
 6. by parts: 500 more mails processed by calling inbound_process directly, the functions it
    calls wrapped with timers and every statement's time given to the innermost one; 500 more
    under cProfile; EXPLAIN (ANALYZE, BUFFERS) of the statements that cost most.
 7. mailgate as an MTA runs it, a process per mail (`python manage.py mailgate < mail`):
    --subprocess-mails mails, half one at a time, half nproc at a time; and the cost of
    starting Python, Django and the command without a mail.
 8. IMAP: Dovecot started as the tests start it (amends/mail/tests/dovecot.py), --imap-mails
    other mails APPENDed, `mailbox_poll` run until the folder is read, then the worker.
Then, in fresh processes: a mail with a 25 MB attachment through `manage.py mailgate` with the
default limits, and with the limits raised so that it is accepted; a process that runs
inbound_process on it (attachment kept; and, with the default 10 MB attachment limit, refused).
Peak RSS of each (wait4 ru_maxrss; VmHWM).

SQLite (--db sqlite|both), for context: steps 1, 3 and 4 with --sqlite-mails mails.
Prints a table, writes JSON to bench/results/; docs/performance.md, "Email in and out (issue 4)".
"""

import argparse
import base64
import cProfile
import io
import json
import os
import pstats
import quopri
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email import quoprimime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import texts
from bench.pages import summary_ms
from bench.run import RESULTS_DIR, code_snapshot, cpu_of, machine_info, pg_admin, pg_settings, pg_url_for

# Django starts only in the child processes (child_main), pointed at the bench database and a
# snapshot of the committed code; the functions that use it import Django and Amends locally.
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "amends_bench_mail"
DB_URL = pg_url_for(ADMIN_URL, DB_NAME)
TARGET_IN_PER_S = 250
TARGET_OUT_PER_S = 200
TARGET_RSS_MB = 300
SUPPORT = "support@amends.localhost"
PROFILE_MAILS = 500  # per by-parts run and per cProfile run
IMAP_BATCH = 5000  # max_per_run: one UID list of 5,000 stays under Dovecot's 64 kB command line
BIG_ATTACHMENT = 25 * 2**20
SEND_TASK = "amends.notify.tasks.send_notification_task"
LOCAL = timezone(timedelta(hours=2))  # the senders' clocks: Date headers in +0200

LANG_WEIGHTS = {"he": 35, "ar": 20, "ru": 20, "en": 25}
# What the mails are: kind → share. Replies and automatic mail pick their case below.
MIX = {
    "new": 0.605,  # a fifth of them from a customer we know ("new_known")
    "new_attachment": 0.03,
    "reply_irt": 0.14,  # In-Reply-To/References name our notification
    "reply_tag": 0.14,  # only the [AM-XXXXXX] tag in the subject
    "reply_attachment": 0.02,
    "held": 0.012,  # the tag, from an address that is not the customer's
    "auto": 0.05,
    "bounce": 0.003,
}
# Which cases replies go to: (status group, share). Closed cases take no message: a new one opens.
REPLY_GROUPS = [("active", 0.7), ("resolved", 0.2), ("closed", 0.1)]
# (label as written in the mail, Python codec, weight) per language.
CHARSETS = {
    "he": [("utf-8", "utf-8", 50), ("windows-1255", "cp1255", 30), ("iso-8859-8-i", "iso8859-8", 20)],
    "ar": [("utf-8", "utf-8", 55), ("windows-1256", "cp1256", 30), ("iso-8859-6", "iso8859-6", 15)],
    "ru": [
        ("utf-8", "utf-8", 45),
        ("koi8-r", "koi8-r", 25),
        ("windows-1251", "cp1251", 25),
        ("cp866", "cp866", 5),
    ],
    "en": [("utf-8", "utf-8", 40), ("us-ascii", "ascii", 50), ("iso-8859-1", "latin-1", 10)],
}
DOMAINS = {
    "he": ["gmail.example", "walla.example", "012.example", "outlook.example"],
    "ar": ["gmail.example", "hotmail.example", "yahoo.example"],
    "ru": ["yandex.example", "mail-ru.example", "gmail.example"],
    "en": ["gmail.example", "outlook.example", "icloud.example", "btinternet.example"],
}
GREETINGS = {"he": "שלום,", "ar": "مرحباً،", "ru": "Здравствуйте!", "en": "Hello,"}
THANKS = {"he": "תודה", "ar": "شكراً", "ru": "С уважением,", "en": "Regards,"}
SENT_FROM = {
    "he": "נשלח מה-iPhone שלי",
    "ar": "أرسلت من الـ iPhone",
    "ru": "Отправлено с iPhone",
    "en": "Sent from my iPhone",
}
RE = {"he": "השב: ", "ar": "رد: ", "ru": "Re: ", "en": "Re: "}
ACK_QUOTE = {
    "he": "תודה שפנית אלינו. תלונתך {ref} התקבלה ונשיב לך תוך יום עסקים אחד.",
    "ar": "شكراً لتواصلك معنا. تم استلام شكواك {ref} وسنرد عليك خلال يوم عمل واحد.",
    "ru": "Спасибо за обращение. Ваша жалоба {ref} получена, мы ответим в течение одного рабочего дня.",
    "en": "Thank you for writing to us. Your complaint {ref} has been received; we answer within a day.",
}
# The line a mail client writes above the quoted mail, per language (Gmail's forms).
ATTRIBUTION = {
    "he": "בתאריך יום ג׳, 24 בנוב׳ 2026 ב-{time} מאת Amends <support@amends.localhost>:",
    "ar": "في الثلاثاء، 24 نوفمبر 2026 {time} ص Amends <support@amends.localhost> كتب:",
    "ru": "вт, 24 нояб. 2026 г. в {time}, Amends <support@amends.localhost>:",
    "en": "On Tue, 24 Nov 2026 at {time}, Amends <support@amends.localhost> wrote:",
}
OUT_OF_OFFICE = {
    "he": ("מענה אוטומטי", "אני מחוץ למשרד עד יום ראשון. אחזור אליכם כשאשוב."),
    "ar": ("رد تلقائي", "أنا خارج المكتب حتى يوم الأحد وسأرد عند عودتي."),
    "ru": ("Автоматический ответ", "Я в отпуске до воскресенья и отвечу, когда вернусь."),
    "en": ("Automatic reply", "I am out of the office until Sunday and will reply when I am back."),
}
ATTACHMENT_NAMES = {
    "he": ["חשבונית.pdf", "צילום מסך.png", "קבלה.jpg"],
    "ar": ["فاتورة.pdf", "صورة الشاشة.png", "إيصال.jpg"],
    "ru": ["счёт.pdf", "снимок экрана.png", "чек.jpg"],
    "en": ["invoice.pdf", "screenshot.png", "receipt.jpg"],
}
MAGIC = {".pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff\xe0"}
MIME_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def sql(statement: str, params: list | None = None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def batched(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rounded(value: float, digits: int = 1) -> float:
    return round(value, digits)


# --- data ---------------------------------------------------------------------------------------


def load(*, cases: int) -> dict:
    """bench/generate.py's cases, then what it leaves out that mail needs: Message-IDs on the
    sent notifications (replies thread by them) addressed to the customer's email, and the
    open cases' SLA clocks (a reply moves them)."""
    from amends.cases.services import intake

    if not hasattr(intake, "first_response_due"):
        # generate.py still imports the wall-clock stand-in the SLA policies replaced (3b6831d);
        # the clocks loaded below give the open cases their real due times.
        hours = {"urgent": 4, "high": 8, "normal": 24, "low": 48}
        intake.first_response_due = lambda *, priority, received_at: (
            received_at + timedelta(hours=hours.get(priority, 24))
        )
    import generate
    from django.core.management import call_command
    from django.db import connection

    seconds: dict = {}
    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    seconds["migrate"] = rounded(time.perf_counter() - began)
    began = time.perf_counter()
    info = generate.generate(cases=cases, seed=1)
    seconds["generate"] = rounded(time.perf_counter() - began)
    began = time.perf_counter()
    sql(
        "UPDATE notify_notification SET message_id = '<bench-n' || id || '@amends.localhost>' "
        "WHERE to_address <> ''"
    )
    sql(
        """UPDATE notify_notification SET to_address = COALESCE((
               SELECT i.value FROM customers_customeridentity i
               JOIN cases_case c ON c.customer_id = i.customer_id
               WHERE c.id = notify_notification.case_id AND i.kind = 'email' ORDER BY i.id LIMIT 1),
               to_address)
           WHERE to_address <> ''"""
    )
    seconds["notification_ids"] = rounded(time.perf_counter() - began)
    began = time.perf_counter()
    clocks = clocks_load()
    seconds["clocks"] = rounded(time.perf_counter() - began)
    began = time.perf_counter()
    sql("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seconds["analyze"] = rounded(time.perf_counter() - began)
    counts = info["counts"] | {"clocks": clocks}
    return {"seconds": seconds, "counts": counts}


def clocks_load() -> int:
    """First-response and resolution clocks for the new, open and waiting cases, built with the
    SLA service's own constructor and the policy the case matches; a first response already
    given is met, a waiting case's resolution clock paused."""
    from amends.cases.models import Case
    from amends.sla.models import CaseClock, ClockKind, ClockState, Policy
    from amends.sla.services.clocks import _policy_match, _start_sla, escalation_rules

    rules = escalation_rules()
    policies = list(Policy.objects.filter(is_active=True).select_related("calendar"))

    def policy_for(case):  # clocks.policy_for without a query per case
        return _policy_match(policies, case)

    made, rows = 0, []
    active = Case.objects.filter(status__in=["new", "open", "waiting"]).select_related("team").order_by("pk")
    for case in active.iterator(chunk_size=2000):
        policy = policy_for(case)
        if policy is None:
            continue
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            item = _start_sla(case, kind, policy, case.created_at, rules)
            if item is None:
                continue
            if kind == ClockKind.FIRST_RESPONSE and case.first_responded_at:
                item.state, item.stopped_at, item.next_check_at = (
                    ClockState.MET,
                    case.first_responded_at,
                    None,
                )
                item.consumed_seconds = item.target_seconds // 3
            elif kind == ClockKind.RESOLUTION and case.status == "waiting" and item.pausable:
                item.state, item.due_at, item.next_check_at = ClockState.PAUSED, None, None
                item.consumed_seconds = item.target_seconds // 2
            rows.append(item)
        if len(rows) >= 5000:
            CaseClock.objects.bulk_create(rows)
            made, rows = made + len(rows), []
    CaseClock.objects.bulk_create(rows)
    sql(
        """UPDATE cases_case SET next_due_at = (
               SELECT min(k.due_at) FROM sla_caseclock k
               WHERE k.case_id = cases_case.id AND k.state = 'running')
           WHERE status IN ('new', 'open', 'waiting')"""
    )
    return made + len(rows)


@dataclass
class Target:
    """A case a reply, an automatic reply or a bounce refers to."""

    case_id: int
    reference: str
    subject: str
    language: str
    status: str
    email: str
    name: str
    message_id: str  # of its "received" notification, with <>


def targets_load() -> dict:
    """The cases (by status group) and known customers the mails refer to."""
    from amends.cases.models import Case
    from amends.customers.models import CustomerIdentity, IdentityKind
    from amends.notify.models import Notification

    email_of: dict[int, str] = {}
    for customer_id, value in (
        CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL)
        .order_by("pk")
        .values_list("customer_id", "value")
    ):
        email_of.setdefault(customer_id, value)
    message_id_of = dict(
        Notification.objects.filter(event="received")
        .exclude(message_id="")
        .values_list("case_id", "message_id")
        .iterator(chunk_size=10000)
    )
    groups: dict[str, list[Target]] = {"active": [], "resolved": [], "closed": []}
    known: dict[str, tuple[str, str]] = {}
    rows = Case.objects.order_by("pk").values_list(
        "pk", "reference", "subject", "language", "status", "customer_id", "customer__full_name"
    )
    for pk, reference, subject, language, status, customer_id, name in rows.iterator(chunk_size=10000):
        email, message_id = email_of.get(customer_id), message_id_of.get(pk)
        if not email:
            continue
        known[email] = (name, language)
        if message_id:
            group = "active" if status in ("new", "open", "waiting") else status
            groups[group].append(Target(pk, reference, subject, language, status, email, name, message_id))
    return {"groups": groups, "known": sorted(known.items())}


# --- writing mails --------------------------------------------------------------------------------


@dataclass
class Mail:
    raw: bytes
    kind: str
    message_id: str  # without <>
    sender: str
    target: int | None  # the case it refers to
    expect: tuple[str, str]  # (InboundMail status, "new" case / the "target" / "none")
    charset: str


def encoded_words(text: str, label: str, codec: str, rng: random.Random) -> str:
    """RFC 2047: B (or now and then Q) words of at most ~30 bytes each, folded."""
    if text.isascii():
        return text
    words, chunk = [], ""
    for ch in text:
        if chunk and len((chunk + ch).encode(codec)) > 30:
            words.append(chunk)
            chunk = ch
        else:
            chunk += ch
    words.append(chunk)
    q = rng.random() < 0.3
    out = []
    for word in words:
        data = word.encode(codec)
        if q:
            out.append(quoprimime.header_encode(data, charset=label))
        else:
            out.append(f"=?{label}?B?{base64.b64encode(data).decode()}?=")
    return "\n ".join(out)


def part(content_type: str, cte: str | None, body: bytes, extra: tuple[str, ...] = ()) -> bytes:
    head = [f"Content-Type: {content_type}", *([f"Content-Transfer-Encoding: {cte}"] if cte else []), *extra]
    return ("\n".join(head) + "\n\n").encode() + body


def multipart(subtype: str, parts: list[bytes], rng: random.Random) -> tuple[str, None, bytes]:
    boundary = f"=_bench_{rng.getrandbits(48):012x}"
    body = b"".join(b"--" + boundary.encode() + b"\n" + p.rstrip(b"\n") + b"\n" for p in parts)
    return f'multipart/{subtype}; boundary="{boundary}"', None, body + b"--" + boundary.encode() + b"--\n"


def transfer_encode(data: bytes, cte: str) -> bytes:
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    return data.rstrip(b"\n") + b"\n"


class MailMaker:
    """Realistic inbound mail, deterministic for a seed; see the module docstring for the mix."""

    def __init__(self, targets: dict, seed: int):
        self.groups = targets["groups"]
        self.known = targets["known"]
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC)
        self.charsets: Counter = Counter()

    def batch(self, prefix: str, n: int) -> list[Mail]:
        kinds = [kind for kind, share in MIX.items() for _ in range(round(share * n))]
        kinds = (kinds + ["new"] * n)[:n]
        self.rng.shuffle(kinds)
        mails = []
        for i, kind in enumerate(kinds):
            tag = f"{prefix}{i}"
            if kind == "new":
                mails.append(self.new(tag, known=self.rng.random() < 0.2))
            elif kind == "new_attachment":
                mails.append(self.new(tag, attachment=True))
            elif kind in ("reply_irt", "reply_tag", "reply_attachment", "held"):
                mails.append(self.reply(tag, kind))
            else:
                mails.append(getattr(self, kind)(tag))
        return mails

    # pieces

    def _pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _charset(self, lang: str, text: str) -> tuple[str, str]:
        choices = CHARSETS[lang]
        label, codec, _w = self.rng.choices(choices, weights=[c[2] for c in choices])[0]
        try:
            text.encode(codec)
        except UnicodeEncodeError:  # a character the legacy charset lacks: the client picks UTF-8
            label, codec = "utf-8", "utf-8"
        self.charsets[label] += 1
        return label, codec

    def _person(self, lang: str, tag: str) -> tuple[str, str]:
        first, first_latin = self.rng.choice(texts.FIRST_NAMES[lang])
        last, last_latin = self.rng.choice(texts.LAST_NAMES[lang])
        domain = self.rng.choice(DOMAINS[lang])
        return f"{first} {last}", f"{first_latin}.{last_latin}.{tag}@{domain}".lower()

    def _target(self, groups=REPLY_GROUPS) -> Target:
        name = self.rng.choices([g for g, _s in groups], weights=[s for _g, s in groups])[0]
        return self.rng.choice(self.groups[name])

    def _signature(self, lang: str, name: str) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return f"\n\n-- \n{name}\n{texts.PHONE_PREFIXES[lang]}{self.rng.randint(1000000, 9999999)}"
        if roll < 0.5:
            return f"\n\n{SENT_FROM[lang]}"
        return f"\n\n{THANKS[lang]}\n{name}" if name else ""

    def _headers(
        self,
        *,
        name: str,
        address: str,
        subject: str,
        label: str,
        codec: str,
        message_id: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> list[tuple[str, str | bytes]]:
        rng = self.rng
        domain = address.rsplit("@", 1)[1]
        sent = self.now - timedelta(minutes=rng.randint(1, 600))
        date = format_datetime(sent.astimezone(LOCAL))
        host = f"mail-{rng.choice('abcdefgh')}{rng.randint(1, 99)}.{domain}"
        headers: list[tuple[str, str | bytes]] = [
            ("Return-Path", f"<{address}>"),
            ("Received", f"from {host} ({host} [203.0.113.{rng.randint(1, 254)}])\n\tby mx.amends.localhost "
             f"(Postfix) with ESMTPS id {rng.getrandbits(40):010X}\n\tfor <{SUPPORT}>; {date}"),
        ]  # fmt: skip
        if rng.random() < 0.5:
            sig = base64.b64encode(rng.randbytes(256)).decode()
            folded = "\n\t ".join(sig[i : i + 70] for i in range(0, len(sig), 70))
            headers.append(
                (
                    "DKIM-Signature",
                    f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=20230601;\n\t"
                    "h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date;\n\t"
                    f"bh={base64.b64encode(rng.randbytes(32)).decode()};\n\t b={folded}",
                )
            )
        shown = encoded_words(name, label, codec, rng)
        if name and name.isascii():
            shown = f'"{name}"'
        if label != "utf-8" and label != "us-ascii" and rng.random() < 0.05:
            raw_subject: str | bytes = subject.encode(codec)  # an old client: 8-bit header, no encoding
        else:
            raw_subject = encoded_words(subject, label, codec, rng)
        headers += [
            ("From", f"{shown} <{address}>" if name else address),
            ("To", f"Amends <{SUPPORT}>"),
            ("Subject", raw_subject),
            ("Date", date),
            ("Message-ID", f"<{message_id}>"),
            ("MIME-Version", "1.0"),
            *(extra or []),
            ("X-Mailer", rng.choice(["Apple Mail (2.3774)", "Microsoft Outlook 16.0", "Thunderbird 128.3"])),
        ]
        return headers

    def _content(self, text: str, label: str, codec: str, lang: str, *, html_share: float = 0.3):
        """(Content-Type, transfer encoding, body): plain text, text + HTML, or HTML only."""
        rng = self.rng
        data = text.encode(codec)
        if label == "us-ascii":
            cte = "7bit"
        elif label == "utf-8":
            cte = "base64" if rng.random() < 0.6 else "quoted-printable"
        else:
            cte = rng.choices(["8bit", "quoted-printable", "base64"], weights=[50, 40, 10])[0]
        plain = (f'text/plain; charset="{label}"', cte, transfer_encode(data, cte))
        roll = rng.random()
        if roll >= html_share:
            return plain
        direction = "rtl" if lang in ("he", "ar") else "ltr"
        paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
        tracker = (
            '<img src="https://track.example/open.gif" width="1" height="1">' if rng.random() < 0.3 else ""
        )
        markup = (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={label}"></head>'
            f'<body><div dir="{direction}" style="font-family:Arial">{paragraphs}{tracker}</div>'
            "</body></html>"
        )
        html_cte = "quoted-printable" if label != "us-ascii" else "7bit"
        html = (f'text/html; charset="{label}"', html_cte, transfer_encode(markup.encode(codec), html_cte))
        if roll < html_share / 6:  # HTML only (Outlook web, marketing tools)
            return html
        return multipart("alternative", [part(*plain), part(*html)], rng)

    def _attachment(self, lang: str) -> bytes:
        rng = self.rng
        name = rng.choice(ATTACHMENT_NAMES[lang])
        ext = Path(name).suffix
        data = MAGIC[ext] + rng.randbytes(rng.randint(15_000, 80_000))
        if name.isascii():
            params = (f'name="{name}"', f'filename="{name}"')
        elif rng.random() < 0.5:  # RFC 2231 (Thunderbird, Apple Mail)
            params = ("", f"filename*=utf-8''{quote(name)}")
        else:  # RFC 2047 inside quotes (Outlook, Gmail)
            words = encoded_words(name, "utf-8", "utf-8", rng).replace("\n ", " ")
            params = (f'name="{words}"', f'filename="{words}"')
        content_type = MIME_TYPES[ext] + (f"; {params[0]}" if params[0] else "")
        return part(
            content_type,
            "base64",
            base64.encodebytes(data),
            (f"Content-Disposition: attachment; {params[1]}",),
        )

    def _message(self, headers: list[tuple[str, str | bytes]], content: tuple) -> bytes:
        content_type, cte, body = content
        lines = [name.encode() + b": " + (v if isinstance(v, bytes) else v.encode()) for name, v in headers]
        lines.append(f"Content-Type: {content_type}".encode())
        if cte:
            lines.append(f"Content-Transfer-Encoding: {cte}".encode())
        return b"\n".join(lines) + b"\n\n" + body

    def _id(self, tag: str, domain: str) -> str:
        return f"{tag}.{self.rng.getrandbits(40):010x}@{domain}"

    # kinds

    def new(self, tag: str, *, known: bool = False, attachment: bool = False) -> Mail:
        rng = self.rng
        if known:
            address, (name, lang) = rng.choice(self.known)
            lang = lang if lang in LANG_WEIGHTS else "en"
        else:
            lang = self._pick(LANG_WEIGHTS)
            name, address = self._person(lang, tag)
            name = name if rng.random() < 0.9 else ""
        subject, body = rng.choice(texts.COMPLAINTS[lang])
        paragraphs = [GREETINGS[lang], body]
        if rng.random() < 0.5:
            paragraphs.append(rng.choice(texts.DETAILS[lang]))
        if rng.random() < 0.3:
            paragraphs.append(f"#{rng.choice('ABC')}-{rng.randint(1000, 99999)}")
        text = "\n\n".join(paragraphs) + self._signature(lang, name)
        label, codec = self._charset(lang, text + subject + name)
        content = self._content(text, label, codec, lang)
        if attachment:
            content = multipart("mixed", [part(*content), self._attachment(lang)], rng)
        message_id = self._id(tag, address.rsplit("@", 1)[1])
        headers = self._headers(
            name=name, address=address, subject=subject, label=label, codec=codec, message_id=message_id
        )
        kind = "new_attachment" if attachment else "new_known" if known else "new"
        return Mail(
            self._message(headers, content), kind, message_id, address, None, ("processed", "new"), label
        )

    def reply(self, tag: str, kind: str) -> Mail:
        rng = self.rng
        target = self._target()
        lang = target.language if target.language in LANG_WEIGHTS else "en"
        name, address = target.name, target.email
        if kind == "held":
            name, address = self._person(lang, tag)
        quoted = ACK_QUOTE[lang].format(ref=target.reference)
        attribution = ATTRIBUTION[lang].format(time=f"{rng.randint(8, 17)}:{rng.randint(0, 59):02d}")
        text = (
            rng.choice(texts.FOLLOW_UPS[lang])
            + self._signature(lang, name)
            + f"\n\n{attribution}\n\n> {quoted}\n>\n> {target.reference}\n"
        )
        tag_text = f"[#{target.reference}]" if rng.random() < 0.2 else f"[{target.reference}]"
        subject = f"{RE[lang]}{tag_text} {target.subject}"
        label, codec = self._charset(lang, text + subject + name)
        content = self._content(text, label, codec, lang, html_share=0.2)
        if kind == "reply_attachment":
            content = multipart("mixed", [part(*content), self._attachment(lang)], rng)
        extra = []
        if kind in ("reply_irt", "reply_attachment"):
            extra = [("In-Reply-To", target.message_id), ("References", target.message_id)]
        message_id = self._id(tag, address.rsplit("@", 1)[1])
        headers = self._headers(
            name=name,
            address=address,
            subject=subject,
            label=label,
            codec=codec,
            message_id=message_id,
            extra=extra,
        )
        if kind == "held":
            expect = ("held", "target")
        elif target.status == "closed":
            expect = ("processed", "new")
        else:
            expect = ("processed", "target")
        return Mail(self._message(headers, content), kind, message_id, address, target.case_id, expect, label)

    def auto(self, tag: str) -> Mail:
        rng = self.rng
        style = rng.choices(["out_of_office", "x_autoreply", "bulk", "list"], weights=[40, 20, 25, 15])[0]
        lang = self._pick(LANG_WEIGHTS)
        target, extra = None, []
        if style == "out_of_office":
            target = self._target([("active", 1.0)])
            lang = target.language if target.language in LANG_WEIGHTS else "en"
            name, address = target.name, target.email
            title, body = OUT_OF_OFFICE[lang]
            subject = f"{title}: {RE[lang]}[{target.reference}] {target.subject}"
            extra = [("Auto-Submitted", "auto-replied"), ("In-Reply-To", target.message_id)]
        elif style == "x_autoreply":
            name, address = self._person(lang, tag)
            title, body = OUT_OF_OFFICE[lang]
            subject = title
            extra = [("X-Autoreply", "yes")]
        elif style == "bulk":
            name, address = "Shop news", f"news@{tag}.shop.example"
            subject, body = "Black Friday: 40% off everything", "Our biggest sale of the year starts now."
            extra = [("Precedence", "bulk"), ("List-Unsubscribe", f"<mailto:unsubscribe@{tag}.shop.example>")]
        else:
            name, address = self._person(lang, tag)
            subject, body = "[consumers] anyone else waiting for a refund?", "Just asking around the list."
            extra = [("List-Id", "<consumers.lists.example>"), ("Precedence", "list")]
        label, codec = self._charset(lang, body + subject + name)
        content = self._content(body, label, codec, lang, html_share=0.8 if style == "bulk" else 0.1)
        message_id = self._id(tag, address.rsplit("@", 1)[1])
        headers = self._headers(
            name=name,
            address=address,
            subject=subject,
            label=label,
            codec=codec,
            message_id=message_id,
            extra=extra,
        )
        expect = ("ignored", "target" if target else "none")
        raw = self._message(headers, content)
        return Mail(raw, f"auto_{style}", message_id, address, target and target.case_id, expect, label)

    def bounce(self, tag: str) -> Mail:
        rng = self.rng
        target = self._target()
        message_id = self._id(tag, "mx.example.net")
        boundary = f"{rng.getrandbits(48):012X}.mx.example.net"
        date = format_datetime(self.now)
        raw = (
            f"Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: {SUPPORT}\n"
            f"Subject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\n"
            f"Message-ID: <{message_id}>\nDate: {date}\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"\n\n'
            f"This is a MIME-encapsulated message.\n\n--{boundary}\nContent-Description: Notification\n"
            "Content-Type: text/plain; charset=us-ascii\n\n"
            "This is the mail system at host mx.example.net.\n\n"
            f"<{target.email}>: host mx.example.net said: 550 5.1.1 User unknown\n\n"
            f"--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; mx.example.net\n\n"
            f"Final-Recipient: rfc822; {target.email}\nAction: failed\nStatus: 5.1.1\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 <{target.email}>: Recipient address rejected\n\n"
            f"--{boundary}\nContent-Description: Undelivered Message Headers\n"
            "Content-Type: text/rfc822-headers\n\n"
            f"From: Amends <{SUPPORT}>\nTo: {target.email}\n"
            f"Subject: [{target.reference}] {target.subject}\n"
            f"Message-ID: {target.message_id}\nAuto-Submitted: auto-replied\n\n--{boundary}--\n"
        ).encode()
        self.charsets["us-ascii"] += 1
        sender = "MAILER-DAEMON@mx.example.net"
        return Mail(raw, "bounce", message_id, sender, target.case_id, ("bounce", "target"), "us-ascii")


def big_mail(message_id: str, size: int) -> bytes:
    """One complaint with a PDF of ``size`` random bytes (base64: about 1.37 × size)."""
    text = base64.encodebytes("מצורף הסריקה של כל המסמכים, 25 מגה.\n".encode())
    data = b"%PDF-1.7\n" + os.urandom(size - 9)
    boundary = "=_bench_big"
    return (
        (
            f"From: Noa Levi <noa.big.{message_id[:8]}@gmail.example>\nTo: {SUPPORT}\n"
            "Subject: =?utf-8?B?15TXodeo15nXp9eUINeU157XnNeQ15Q=?=\n"
            f"Message-ID: <{message_id}>\nDate: {format_datetime(datetime.now(UTC))}\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
            f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        ).encode()
        + text
        + (
            f"--{boundary}\nContent-Type: application/pdf; name=scan.pdf\nContent-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=scan.pdf\n\n"
        ).encode()
        + base64.encodebytes(data)
        + f"--{boundary}--\n".encode()
    )


# --- measuring --------------------------------------------------------------------------------------


def cpu_ms(pid: int) -> float:
    """CPU time of a single-threaded process (a PostgreSQL backend), from the scheduler."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and its live descendants (Dovecot's processes)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu_of(pid)
        todo += children.get(pid, [])
    return total


class Meter:
    """Wall time, this process's CPU and the PostgreSQL backend's CPU over a block (the bench
    runs with a long CONN_MAX_AGE, so one backend serves a whole phase); load average."""

    def __enter__(self):
        from django.db import connection

        connection.ensure_connection()
        self.backend = connection.connection.info.backend_pid if connection.vendor == "postgresql" else None
        self.pg0 = cpu_ms(self.backend) if self.backend else 0.0
        self.cpu0 = time.process_time()
        self.load0 = os.getloadavg()[0]
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc):
        from django.db import connection

        self.wall = time.perf_counter() - self.began
        self.python_cpu = time.process_time() - self.cpu0
        self.pg_cpu = None
        if self.backend:
            connection.ensure_connection()
            if connection.connection.info.backend_pid == self.backend:
                self.pg_cpu = (cpu_ms(self.backend) - self.pg0) / 1000
        self.load1 = os.getloadavg()[0]

    def summary(self, n: int) -> dict:
        return {
            "n": n,
            "wall_s": rounded(self.wall, 2),
            "per_s": rounded(n / self.wall),
            "python_cpu_ms_per_mail": rounded(self.python_cpu * 1000 / n, 2),
            "postgres_cpu_ms_per_mail": rounded(self.pg_cpu * 1000 / n, 2)
            if self.pg_cpu is not None
            else None,
            "load_before_after": [rounded(self.load0, 2), rounded(self.load1, 2)],
        }


def statement_key(text: str) -> str:
    text = re.sub(r"%s(?:, %s)+", "%s…", text)
    return " ".join(text.split())[:400]


class Parts:
    """Inclusive wall time per wrapped function, and each statement's time given to the
    innermost wrapped function running it; statements aggregated by their text."""

    def __init__(self):
        self.ms: dict[str, float] = defaultdict(float)
        self.calls: Counter = Counter()
        self.sql_ms: dict[str, float] = defaultdict(float)
        self.queries: Counter = Counter()
        self.statements: dict[str, list] = {}
        self.stack: list[str] = []
        self.total_queries = 0

    def wrap(self, label: str, original):
        def timed_call(*args, **kwargs):
            self.stack.append(label)
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.ms[label] += (time.perf_counter() - began) * 1000
                self.calls[label] += 1
                self.stack.pop()

        return timed_call

    def __call__(self, execute, sql_text, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            ms = (time.perf_counter() - began) * 1000
            label = self.stack[-1] if self.stack else "(outside the wrapped functions)"
            self.sql_ms[label] += ms
            self.queries[label] += 1
            self.total_queries += 1
            key = f"{label}\x00{statement_key(sql_text)}"
            entry = self.statements.setdefault(key, [0, 0.0, 0.0, sql_text, params, label])
            entry[0] += 1
            entry[1] += ms
            if ms > entry[2]:
                entry[2], entry[3], entry[4] = ms, sql_text, params


# The functions the drain (inbound_process_pending) spends its time in: label → (module,
# attribute). Indented labels run inside the one above; each is patched where its caller looks
# it up. Times are per mail: a batch's lookups are shared by its mails.
PROCESS_PARTS = {
    "raw bytes read (_raws)": ("amends.mail.services", "_raws"),
    "parse (mail.parsing.parse)": ("amends.mail.services", "parse"),
    "thread (threads_find, per batch)": ("amends.mail.services", "threads_find"),
    "participants (_participants, per batch)": ("amends.mail.services", "_participants"),
    "acknowledgement cap (per batch)": ("amends.mail.services", "_acknowledgements_allowed"),
    "intake checked (intake_check)": ("amends.mail.services", "intake_check"),
    "bounce (_bounce)": ("amends.mail.services", "_bounce"),
    "cases_open (new complaints, per batch)": ("amends.mail.services", "cases_open"),
    "  customers matched or created": ("amends.cases.services.intake", "customers_match_or_create_many"),
    "  SLA configuration (SlaConfig.load)": ("amends.sla.services.clocks:SlaConfig", "load"),
    "  clocks planned (clocks_plan_open)": ("amends.cases.services.intake", "clocks_plan_open"),
    "  references (_references_assign)": ("amends.cases.services.intake", "_references_assign"),
    "  attachments saved": ("amends.cases.services.intake", "attachment_save_all"),
    "  acknowledgement (customer_notify)": ("amends.cases.services.intake", "customer_notify"),
    "    render text + HTML": ("amends.notify.services", "_render_text"),
    "    render HTML layout": ("amends.notify.services", "_render_html"),
    "    thread headers (_case_thread)": ("amends.notify.services", "_case_thread"),
    "    save + send (_queue)": ("amends.notify.services", "_queue"),
    "customer_messages_add (replies, per batch)": ("amends.mail.services", "customer_messages_add"),
    "  SLA clocks moved (clocks_follow_many)": ("amends.cases.services.lifecycle", "clocks_follow_many"),
    "  cases saved (bulk_update_by_pk)": ("amends.cases.services.lifecycle", "bulk_update_by_pk"),
    "  follow-ups cancelled (followups_cancel_many)": (
        "amends.cases.services.lifecycle",
        "followups_cancel_many",
    ),
    "rows recorded (bulk_update_by_pk)": ("amends.mail.services", "bulk_update_by_pk"),
    "COMMIT": (None, "commit"),
}


def patched(parts, targets: dict):
    """Wrap the targets (module, "module:Class", or None for the connection) with parts.wrap;
    returns a function that undoes it."""
    import importlib

    from django.db import connections

    saved = []
    for label, (module_name, name) in targets.items():
        if module_name is None:
            owner = connections["default"]
        else:
            module_path, _colon, class_name = module_name.partition(":")
            owner = importlib.import_module(module_path)
            owner = getattr(owner, class_name) if class_name else owner
        if not hasattr(owner, name):
            continue  # the code no longer has it
        original_in_dict = name in vars(owner)
        saved.append((owner, name, vars(owner).get(name), original_in_dict))
        setattr(owner, name, parts.wrap(label, getattr(owner, name)))

    def undo():
        for owner, name, original, in_dict in reversed(saved):
            if in_dict:
                setattr(owner, name, original)
            else:
                delattr(owner, name)

    return undo


def worker_run(*, max_tasks: int, task_module: str, function: str) -> tuple[Meter, dict[int, float], dict]:
    """django-tasks-db's worker loop, in this process, for ``max_tasks`` tasks (or until the queue
    is empty). The service function each task calls is timed per call (its one keyword); the
    worker's own statements (claiming, recording) are summed, and the time between one task's
    end and the next one's start is kept, to see whether it grows as the queue is worked off."""
    import importlib

    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    module = importlib.import_module(task_module)
    original = getattr(module, function)
    seconds: dict[int, float] = {}
    spans: list[tuple[float, float]] = []
    parts = Parts()

    def timed_call(**kwargs):
        parts.stack.append("task")
        began = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            ended = time.perf_counter()
            parts.stack.pop()
            seconds[next(iter(kwargs.values()), len(seconds))] = ended - began
            spans.append((began, ended))

    setattr(module, function, timed_call)
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="bench-mail",
        excluded_queue_names=[],
    )
    try:
        with connection.execute_wrapper(parts), Meter() as meter:
            worker.run()
    finally:
        setattr(module, function, original)
    gaps = [(b - spans[i - 1][1]) * 1000 for i, (b, _e) in enumerate(spans) if i]
    tenth = max(len(gaps) // 10, 1)
    own = "(outside the wrapped functions)"
    worker = {
        "between_tasks_ms": summary_ms([g / 1000 for g in gaps]),
        "between_tasks_ms_first_tenth_median": rounded(sorted(gaps[:tenth])[tenth // 2], 2) if gaps else None,
        "between_tasks_ms_last_tenth_median": rounded(sorted(gaps[-tenth:])[tenth // 2], 2) if gaps else None,
        "worker_queries_per_task": rounded(parts.queries[own] / max(len(spans), 1), 2),
        "worker_sql_ms_per_task": rounded(parts.sql_ms[own] / max(len(spans), 1), 2),
        "task_queries_per_task": rounded(parts.queries["task"] / max(len(spans), 1), 2),
        "task_sql_ms_per_task": rounded(parts.sql_ms["task"] / max(len(spans), 1), 2),
        "worker_statements": [
            {
                "calls": e[0],
                "total_ms": rounded(e[1], 1),
                "max_ms": rounded(e[2], 2),
                "sql": statement_key(e[3])[:300],
            }
            for e in sorted(parts.statements.values(), key=lambda e: -e[1])
            if e[5] == own
        ][:6],
    }
    if connection.vendor == "postgresql":
        worker["claim_explain"] = claim_explain()
    return meter, seconds, worker


def claim_explain(*, analyze: bool = False) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the worker's claim query as it stands now; with ``analyze``
    after ANALYZE of the queue table, in a transaction that is rolled back (statistics too)."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    query = DBTaskResult.objects.ready().filter(backend_name="default", queue_name__in=["default"])
    with transaction.atomic(), connection.cursor() as cursor:
        if analyze:
            cursor.execute("ANALYZE django_tasks_database_dbtaskresult")
        text, params = query.select_for_update(skip_locked=True)[:1].query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


class _Stdin:
    def __init__(self, raw: bytes):
        self.buffer = io.BytesIO(raw)


def store_via_mailgate(mails: list[Mail]) -> dict:
    """Each mail through the mailgate command, in this process: what an MTA pipe does, less the
    process start (measured separately)."""
    from django.core.management import call_command

    from amends.mail.management.commands.mailgate import Command

    codes: Counter = Counter()
    seconds = []
    try:
        with Meter() as meter:
            for mail in mails:
                sys.stdin = _Stdin(mail.raw)  # type: ignore[assignment]
                began = time.perf_counter()
                try:
                    call_command(Command(), sender=mail.sender, recipient=[SUPPORT])
                    codes["returned"] += 1
                except SystemExit as exc:
                    codes[str(exc.code)] += 1
                seconds.append(time.perf_counter() - began)
    finally:
        sys.stdin = sys.__stdin__
    return meter.summary(len(mails)) | {"exit_codes": dict(codes), "per_mail_ms": summary_ms(seconds)}


def outcomes(mails: list[Mail], since: datetime) -> dict:
    """What became of each mail, against what it was written for; and the acknowledgements."""
    from django.db.models import Count

    from amends.cases.models import Case
    from amends.mail.models import InboundMail
    from amends.notify.models import Notification

    by_id = {m.message_id: m for m in mails}
    rows = []
    for chunk in batched(list(by_id), 1000):
        rows += InboundMail.objects.filter(message_id__in=chunk).values_list(
            "pk", "message_id", "status", "case_id", "error", "warnings"
        )
    new_cases = set(Case.objects.filter(created_at__gte=since).values_list("pk", flat=True))
    table: dict[str, Counter] = defaultdict(Counter)
    unexpected, errors = [], []
    warned = 0
    kind_of = {}
    for pk, message_id, status, case_id, error, warnings in rows:
        mail = by_id[message_id]
        kind_of[pk] = mail.kind
        if case_id is None:
            relation = "none"
        elif case_id == mail.target:
            relation = "target"
        else:
            relation = "new" if case_id in new_cases else "other"
        table[mail.kind][f"{status}/{relation}"] += 1
        if (status, relation) != mail.expect:
            unexpected.append(
                {"kind": mail.kind, "got": f"{status}/{relation}", "expected": "/".join(mail.expect)}
            )
        if error:
            errors.append(error[:300])
        warned += bool(warnings)
    acks = dict(
        Notification.objects.filter(event="received", created_at__gte=since)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return {
        "rows": len(rows),
        "as_expected": len(rows) - len(unexpected),
        "unexpected": len(unexpected),
        "unexpected_sample": unexpected[:15],
        "errors": len(errors),
        "errors_sample": errors[:5],
        "rows_with_warnings": warned,
        "by_kind": {k: dict(v) for k, v in sorted(table.items())},
        "new_cases": len(new_cases),
        "acknowledgements": acks,
        "_kind_of": kind_of,
    }


def per_kind_ms(seconds: dict[int, float], kind_of: dict[int, str]) -> dict:
    grouped: dict[str, list[float]] = defaultdict(list)
    for pk, s in seconds.items():
        grouped[kind_of.get(pk, "?")].append(s)
    return {kind: summary_ms(values) for kind, values in sorted(grouped.items())}


def process_phase(mails: list[Mail], since: datetime) -> dict:
    """The drain the worker runs (amends.mail.tasks.inbound_drain_task), called here until no
    stored mail is left: one task claim per 1,000 mails, so the worker loop adds nothing worth
    timing, and the acknowledgements it queues wait for the outbound phase."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from amends.mail.services import inbound_process_pending
    from amends.mail.tasks import DRAIN_BATCHES_PER_RUN

    parts = Parts()
    runs = []
    with connection.execute_wrapper(parts), Meter() as meter:
        while True:
            began = time.perf_counter()
            done = inbound_process_pending(max_batches=DRAIN_BATCHES_PER_RUN)
            runs.append((done, time.perf_counter() - began))
            if not done:
                break
    DBTaskResult.objects.filter(status="READY", task_path="amends.mail.tasks.inbound_drain_task").delete()
    result = outcomes(mails, since)
    result.pop("_kind_of")
    return meter.summary(len(mails)) | {
        "drain_runs": len(runs) - 1,
        "queries_per_mail": rounded(parts.total_queries / max(len(mails), 1), 1),
        "sql_ms_per_mail": rounded(sum(parts.sql_ms.values()) / max(len(mails), 1), 2),
        "checks": result,
    }


def concurrent_phase(mails: list[Mail]) -> dict:
    """End to end as it runs in production: the mails go through the mailgate command in a
    second process (forked) while this process, the worker, runs the drain; timed from the
    first mail stored to the last one taken in. Both share the machine's two cores."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from amends.mail.models import InboundMail, InboundStatus
    from amends.mail.services import inbound_process_pending
    from amends.mail.tasks import DRAIN_BATCHES_PER_RUN

    since = datetime.now(UTC)
    connections.close_all()  # the child opens its own connection
    began = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the storing side: an MTA handing mail to mailgate
        code = 0
        try:
            with open(os.devnull, "w") as quiet:
                sys.stdout = quiet
                store_via_mailgate(mails)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    cpu0, stored_done, child_code = time.process_time(), False, None
    taken = 0
    while True:
        n = inbound_process_pending(max_batches=DRAIN_BATCHES_PER_RUN)
        taken += n
        if not stored_done:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                stored_done, child_code = True, os.waitstatus_to_exitcode(status)
                stored_wall = time.perf_counter() - began
        if n == 0:
            if stored_done and not InboundMail.objects.filter(status=InboundStatus.STORED).exists():
                break
            time.sleep(0.005)  # the drain found nothing yet: the storing side is ahead
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu0
    DBTaskResult.objects.filter(status="READY", task_path="amends.mail.tasks.inbound_drain_task").delete()
    result = outcomes(mails, since)
    result.pop("_kind_of")
    return {
        "n": len(mails),
        "wall_s": rounded(wall, 2),
        "per_s": rounded(len(mails) / wall),
        "storing_done_after_s": rounded(stored_wall, 2),
        "storing_exit": child_code,
        "worker_python_cpu_ms_per_mail": rounded(cpu * 1000 / len(mails), 2),
        "taken_in_by_the_drain": taken,
        "checks": result,
    }


def store_quietly(mails: list[Mail]) -> list[tuple[int, str]]:
    """Store without timing, drop the processing tasks (the caller processes the rows itself)."""
    from django_tasks_db.models import DBTaskResult

    from amends.mail.models import Via
    from amends.mail.store import inbound_store

    rows = []
    for mail in mails:
        row, _created = inbound_store(
            raw=mail.raw, via=Via.PIPE, envelope_from=mail.sender, envelope_to=[SUPPORT]
        )
        rows.append((row.pk, mail.kind))
    DBTaskResult.objects.filter(status="READY", task_path="amends.mail.tasks.inbound_drain_task").delete()
    return rows


def by_parts_phase(mails: list[Mail]) -> dict:
    """The drain run directly over ``mails``, its parts timed and its statements summed."""
    from django.db import connection

    from amends.mail.services import inbound_process_pending

    rows = store_quietly(mails)
    parts = Parts()
    undo = patched(parts, PROCESS_PARTS)
    per_kind: dict[str, list[tuple[float, int]]] = defaultdict(list)  # per mail: not in a batch
    try:
        with connection.execute_wrapper(parts), Meter() as meter:
            inbound_process_pending()
    finally:
        undo()
    total_ms = meter.wall * 1000
    top = sum(ms for label, ms in parts.ms.items() if not label.startswith(" "))
    table = {
        label: {
            "ms_per_mail": rounded(parts.ms.get(label, 0.0) / len(rows), 3),
            "calls": parts.calls.get(label, 0),
            "sql_ms_per_mail": rounded(parts.sql_ms.get(label, 0.0) / len(rows), 3),
            "queries": parts.queries.get(label, 0),
        }
        for label in PROCESS_PARTS
    }
    rest_sql = parts.sql_ms.get("(outside the wrapped functions)", 0.0)
    table["the rest: batch claim, savepoints, case/message/clock/audit inserts, loop"] = {
        "ms_per_mail": rounded((total_ms - top) / len(rows), 3),
        "calls": len(rows),
        "sql_ms_per_mail": rounded(rest_sql / len(rows), 3),
        "queries": parts.queries.get("(outside the wrapped functions)", 0),
    }
    statements = sorted(parts.statements.items(), key=lambda kv: -kv[1][1])
    return {
        "summary": meter.summary(len(rows)),
        "ms_per_mail": rounded(total_ms / len(rows), 2),
        "queries_per_mail": rounded(parts.total_queries / len(rows), 1),
        "sql_ms_per_mail": rounded(sum(parts.sql_ms.values()) / len(rows), 2),
        "parts": table,
        "per_kind": {
            kind: {
                "n": len(v),
                "ms_median": rounded(sorted(s for s, _q in v)[len(v) // 2] * 1000, 2),
                "queries_median": sorted(q for _s, q in v)[len(v) // 2],
            }
            for kind, v in sorted(per_kind.items())
        },
        "statements": [
            {
                "calls": e[0],
                "total_ms": rounded(e[1], 1),
                "max_ms": rounded(e[2], 2),
                "in": e[5],
                "sql": statement_key(e[3])[:300],
            }
            for _key, e in statements[:20]
        ],
        "explain": explain_top(statements) if connection.vendor == "postgresql" else {},
    }


def explain_top(statements: list) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the three SELECTs that cost most, with their slowest
    parameters, in a rolled-back transaction."""
    from django.db import connection, transaction

    plans: dict[str, str] = {}
    for _key, (_calls, _total, _max, text, params, label) in statements:
        key = statement_key(text)
        if len(plans) == 3:
            break
        if not text.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in text or key in plans:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, params)
            plans[key] = f"-- in {label.strip()}\n" + "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
    return plans


def cprofile_phase(mails: list[Mail]) -> dict:
    from amends.mail.services import inbound_process_pending

    store_quietly(mails)
    profiler = cProfile.Profile()

    def run():
        inbound_process_pending()

    profiler.runcall(run)
    out = {}
    for order, count in (("cumulative", 60), ("tottime", 30)):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(count)
        out[order] = text.getvalue()
    return out


def outbound_phase(limit: int) -> dict:
    """The worker sends the queued acknowledgements to the SMTP sink: django-tasks-db's worker
    loop runs the send drain (amends.notify.tasks.notifications_drain_task), which claims them
    in batches and sends each batch over one SMTP connection, then queues its next run. Queued
    mail beyond --outbound is set aside first (due a day later, still queued), so the phase
    sends at most that many; each drain run, batch and message build is timed (worker_run's
    per-call times are keyed by the call's keyword, the same for every run: not used here)."""
    from django.db import transaction
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from amends.core import clock
    from amends.core.kick import drain_kick
    from amends.notify.models import Notification
    from amends.notify.tasks import notifications_drain_task

    drain_path = "amends.notify.tasks.notifications_drain_task"
    ready = DBTaskResult.objects.filter(status="READY")
    others = ready.exclude(task_path=drain_path).count()
    due = Notification.objects.filter(status="queued", next_attempt_at__lte=clock.now())
    n = min(limit, due.count())
    if n == 0 or others:
        raise SystemExit(f"outbound: {n} mails queued and {others} other tasks ready; expected only mail")
    beyond = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[n:])
    Notification.objects.filter(pk__in=beyond).update(next_attempt_at=clock.now() + timedelta(days=1))
    with transaction.atomic():
        drain_kick(notifications_drain_task)  # one run waits already unless the queue was empty
    since = datetime.now(UTC)
    parts = Parts()
    undo = patched(
        parts,
        {
            "drain run (notifications_send_due)": ("amends.notify.tasks", "notifications_send_due"),
            "claim a batch (_claim: select, update)": ("amends.notify.services", "_claim"),
            "send + record a batch (_send_and_record)": ("amends.notify.services", "_send_and_record"),
            "  build the message (_email_for)": ("amends.notify.services", "_email_for"),
        },
    )
    sink_pid = int(os.environ.get("BENCH_SINK_PID", "0"))
    sink0 = cpu_of(sink_pid) if sink_pid else 0.0
    try:
        # At least one mail per run: n runs is an upper bound; the loop ends when none is ready.
        meter, _seconds, worker = worker_run(
            max_tasks=n, task_module="amends.notify.tasks", function="notifications_send_due"
        )
    finally:
        undo()
    sink_cpu = cpu_of(sink_pid) - sink0 if sink_pid else None
    statuses = dict(
        Notification.objects.filter(last_attempt_at__gte=since)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    runs = "drain run (notifications_send_due)"
    left = ready.count()
    ready.delete()  # later phases start with an empty queue
    return meter.summary(max(n, 1)) | {
        "queued_before": {"sent_now": n, "set_aside": len(beyond)},
        "statuses_after": statuses,
        "drain_runs": parts.calls[runs],
        "drain_run_ms_mean": rounded(parts.ms[runs] / max(parts.calls[runs], 1), 1),
        "worker_overhead_ms_per_mail": rounded((meter.wall * 1000 - parts.ms[runs]) / max(n, 1), 3),
        "worker": worker,
        "parts_ms_per_mail": {k: rounded(v / max(n, 1), 3) for k, v in parts.ms.items()},
        "batches": parts.calls["claim a batch (_claim: select, update)"],
        "sink_cpu_ms_per_mail": rounded(sink_cpu * 1000 / max(n, 1), 2) if sink_cpu is not None else None,
        "tasks_left_deleted": left,
    }


def mailgate_processes(mails: list[Mail]) -> dict:
    """`python manage.py mailgate < mail`, a process per mail as an MTA pipe runs it: half one at
    a time, half nproc at a time; and what starting the process costs without a mail."""
    app_root = os.environ["BENCH_APP_ROOT"]
    python = sys.executable

    def run(argv: list[str], data: bytes) -> tuple[float, int]:
        began = time.perf_counter()
        done = subprocess.run(argv, input=data, cwd=app_root, capture_output=True, check=False)
        return time.perf_counter() - began, done.returncode

    def one(mail: Mail) -> tuple[float, int]:
        return run(
            [python, "manage.py", "mailgate", "--sender", mail.sender, "--recipient", SUPPORT], mail.raw
        )

    startup = {
        "python -c pass": [run([python, "-c", "pass"], b"")[0] for _ in range(5)],
        "python -c 'django.setup()'": [
            run([python, "-c", "import django; django.setup()"], b"")[0] for _ in range(5)
        ],
        "manage.py mailgate, empty message (exit 65)": [
            run([python, "manage.py", "mailgate"], b"")[0] for _ in range(5)
        ],
    }
    half = len(mails) // 2
    began = time.perf_counter()
    sequential = [one(m) for m in mails[:half]]
    sequential_wall = time.perf_counter() - began
    workers = os.cpu_count() or 2
    began = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        parallel = list(pool.map(one, mails[half:]))
    parallel_wall = time.perf_counter() - began
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").delete()  # rows stay stored, unprocessed
    return {
        "startup_ms_median": {k: rounded(sorted(v)[2] * 1000) for k, v in startup.items()},
        "one_at_a_time": {
            "n": half,
            "per_s": rounded(half / sequential_wall, 2),
            "per_mail_ms": summary_ms([s for s, _c in sequential]),
            "exit_codes": dict(Counter(c for _s, c in sequential)),
        },
        "parallel": {
            "processes": workers,
            "n": len(mails) - half,
            "per_s": rounded((len(mails) - half) / parallel_wall, 2),
            "per_mail_ms": summary_ms([s for s, _c in parallel]),
            "exit_codes": dict(Counter(c for _s, c in parallel)),
        },
    }


def imap_phase(mails: list[Mail]) -> dict:
    """Dovecot as the tests start it; the mails APPENDed; mailbox_poll until the folder is read;
    then the worker processes them."""
    from amends.mail.imap import mailbox_poll
    from amends.mail.models import Mailbox
    from amends.mail.tests.dovecot import dovecot_start

    server = dovecot_start()
    try:
        account = server.account()
        began = time.perf_counter()
        conn = account.connect()
        for mail in mails:
            typ, data = conn.append("INBOX", None, None, mail.raw)
            if typ != "OK":
                raise SystemExit(f"APPEND refused: {data}")
        conn.logout()
        append_s = time.perf_counter() - began
        mailbox = Mailbox.objects.create(
            name="bench",
            host="127.0.0.1",
            port=server.port,
            use_ssl=False,
            username=account.username,
            password=account.password,
            max_per_run=IMAP_BATCH,
            timeout_seconds=60,
        )
        since = datetime.now(UTC)
        runs = []
        dovecot0 = tree_cpu(server.process.pid)
        with Meter() as meter:
            while True:
                result = mailbox_poll(mailbox=mailbox)
                runs.append(result)
                if result.errors or not result.left:
                    break
        dovecot_cpu = tree_cpu(server.process.pid) - dovecot0
        poll = meter.summary(len(mails)) | {
            "runs": [str(r) for r in runs],
            "stored": sum(r.stored for r in runs),
            "dovecot_cpu_ms_per_mail": rounded(dovecot_cpu * 1000 / len(mails), 2),
        }
        processed = process_phase(mails, since)
    finally:
        server.stop()
    e2e = len(mails) / (poll["wall_s"] + processed["wall_s"])
    return {
        "append_s": rounded(append_s, 1),
        "poll": poll,
        "process": processed,
        "end_to_end_per_s": rounded(e2e),
    }


def data_shape() -> dict:
    from django.db import connection

    counts = dict(sql("SELECT status, count(*) FROM cases_case GROUP BY 1 ORDER BY 1"))
    out = {
        "cases": sum(counts.values()),
        "statuses": counts,
        "customers": sql("SELECT count(*) FROM customers_customer")[0][0],
        "email_identities": sql("SELECT count(*) FROM customers_customeridentity WHERE kind = 'email'")[0][0],
        "notifications_with_message_id": sql(
            "SELECT count(*) FROM notify_notification WHERE message_id <> ''"
        )[0][0],
        "clocks": sql("SELECT count(*) FROM sla_caseclock")[0][0],
    }
    if connection.vendor == "postgresql":
        out["database_mb"] = round(sql("SELECT pg_database_size(current_database())")[0][0] / 2**20)
    return out


# --- processes --------------------------------------------------------------------------------------


class SavedReport(dict):
    """A child's report, written out whenever a phase adds to it: a run cut short keeps what it
    has measured."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.path.write_text(json.dumps(self, ensure_ascii=False, default=str))


def child_main(role: str, opts: argparse.Namespace) -> None:
    import djangosetup  # noqa: F401  (sys.path and django.setup(); must come before amends imports)

    out_path = Path(os.environ["BENCH_OUT"])
    if role == "rss":
        out_path.write_text(json.dumps(rss_child()))
        return
    import logging

    from django.db import connection

    # The worker logs two lines per task (django.tasks, INFO), as run_worker does in production:
    # into a file here, so that they cost what they cost without flooding the terminal.
    task_log = logging.getLogger("django.tasks")
    task_log.handlers = [logging.FileHandler(out_path.with_suffix(".tasks.log"))]
    task_log.setLevel(logging.INFO)
    task_log.propagate = False
    report = SavedReport(out_path)
    report["vendor"] = connection.vendor
    cases = opts.cases if role == "postgres" else opts.sqlite_cases
    n = opts.mails if role == "postgres" else opts.sqlite_mails
    log(f"[{role}] loading {cases:,} cases")
    report["load"] = load(cases=cases)
    report["data"] = data_shape()
    log(f"[{role}] data: {report['data']}")
    maker = MailMaker(targets_load(), seed=4)
    mails = maker.batch("m", n)
    sizes = [len(m.raw) for m in mails]
    report["mails"] = {
        "n": n,
        "kinds": dict(Counter(m.kind for m in mails)),
        "charsets": dict(maker.charsets.most_common()),
        "bytes_median": sorted(sizes)[n // 2],
        "bytes_mean": round(sum(sizes) / n),
        "bytes_max": max(sizes),
    }
    if connection.vendor == "postgresql":
        report["postgres"] = pg_settings(DB_URL)

    since = datetime.now(UTC)
    log(f"[{role}] store: {n:,} mails through mailgate (in process)")
    report["store"] = store_via_mailgate(mails)
    log(f"[{role}]   {report['store']['per_s']} mails/s")
    log(f"[{role}] process: the worker runs {n:,} tasks")
    report["process"] = process_phase(mails, since)
    p = report["process"]
    log(
        f"[{role}]   {p['per_s']} mails/s; "
        f"checks {p['checks']['as_expected']}/{p['checks']['rows']} as expected"
    )
    report["end_to_end_per_s"] = rounded(n / (report["store"]["wall_s"] + p["wall_s"]))
    log(f"[{role}] end to end: storing and the worker at once, {n:,} more mails")
    report["concurrent"] = concurrent_phase(maker.batch("c", n))
    c = report["concurrent"]
    log(
        f"[{role}]   {c['per_s']} mails/s; "
        f"checks {c['checks']['as_expected']}/{c['checks']['rows']} as expected"
    )
    if role == "postgres":
        if opts.outbound:
            log("[postgres] outbound: the worker sends the acknowledgements")
            report["outbound"] = outbound_phase(opts.outbound)
            log(f"[postgres]   {report['outbound']['per_s']} mails/s")
        log("[postgres] by parts and cProfile")
        report["by_parts"] = by_parts_phase(maker.batch("p", PROFILE_MAILS))
        report["cprofile"] = cprofile_phase(maker.batch("q", PROFILE_MAILS))
        if opts.subprocess_mails:
            log(f"[postgres] mailgate, a process per mail: {opts.subprocess_mails}")
            report["mailgate_processes"] = mailgate_processes(maker.batch("s", opts.subprocess_mails))
        if opts.imap_mails:
            log(f"[postgres] IMAP: {opts.imap_mails:,} mails")
            report["imap"] = imap_phase(maker.batch("i", opts.imap_mails))
            log(f"[postgres]   end to end {report['imap']['end_to_end_per_s']} mails/s")
    connection.close()
    out_path.write_text(json.dumps(report, ensure_ascii=False, default=str))


def memory() -> dict:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(value.split()[0]) / 1024, 1)
    return values


class MemoryTrail:
    """Where a process's peak resident memory (VmHWM) rose: read at the start and end of each
    wrapped function and around each SQL statement; a rise of 1 MB or more is put down to what
    ran since the reading before."""

    def __init__(self):
        self.last = memory()["VmHWM"]
        self.steps: list[dict] = []

    def note(self, what: str) -> None:
        now = memory()["VmHWM"]
        if now - self.last >= 1:
            self.steps.append({"during": what, "rise_mb": round(now - self.last, 1), "peak_mb": now})
        self.last = max(self.last, now)

    def wrap(self, label: str, original):
        def traced(*args, **kwargs):
            self.note(f"before {label}")
            try:
                return original(*args, **kwargs)
            finally:
                self.note(label)

        return traced

    def __call__(self, execute, sql_text, params, many, context):
        self.note("before a statement")
        try:
            return execute(sql_text, params, many, context)
        finally:
            self.note("SQL " + " ".join(sql_text.split())[:90])


MEMORY_STORE = {
    "mailgate Command.handle": ("amends.mail.management.commands.mailgate:Command", "handle"),
    "inbound_store": ("amends.mail.store", "inbound_store"),
    "_header_message_id": ("amends.mail.store", "_header_message_id"),
}
MEMORY_PROCESS = {
    "_process_batch": ("amends.mail.services", "_process_batch"),
    "inbound_raw (the bytes, read once)": ("amends.mail.services", "inbound_raw"),
    "parse": ("amends.mail.services", "parse"),
    "threads_find": ("amends.mail.services", "threads_find"),
    "_attachments (checked, as uploads)": ("amends.mail.services", "_attachments"),
    "cases_open": ("amends.mail.services", "cases_open"),
    "attachment_save_all": ("amends.cases.services.intake", "attachment_save_all"),
    "bulk_update_by_pk": ("amends.mail.services", "bulk_update_by_pk"),
}


def rss_child() -> dict:
    """In a fresh process, one step of the 25 MB mail's way in with its memory trail:
    "store", the mailgate command reading it from a pipe; "process", inbound_process on the row
    mailgate stored. A small mail goes the same way first (imports, templates, connection)."""
    import resource
    import threading

    from django.core.management import call_command
    from django.db import connection

    from amends.mail.management.commands.mailgate import Command
    from amends.mail.models import InboundMail, Via
    from amends.mail.services import inbound_process
    from amends.mail.store import inbound_store

    step = os.environ["BENCH_RSS_STEP"]
    warm = (
        f"From: warm@example.com\nTo: {SUPPORT}\nSubject: warm-up\n"
        f"Message-ID: <warm.{os.getpid()}.{time.time()}@x>\n"
        "Content-Type: text/plain; charset=utf-8\n\nThe worker's first mail.\n"
    ).encode()
    out: dict = {"step": step}
    if step == "store":

        def through_pipe(data_path: Path | None, data: bytes = b"") -> None:
            read, write = os.pipe()

            def feed():
                with os.fdopen(write, "wb") as pipe:
                    if data_path is None:
                        pipe.write(data)
                        return
                    with open(data_path, "rb") as source:
                        while chunk := source.read(1 << 16):
                            pipe.write(chunk)

            feeder = threading.Thread(target=feed)
            feeder.start()
            sys.stdin = _Stdin(b"")  # type: ignore[assignment]
            sys.stdin.buffer = os.fdopen(read, "rb")  # type: ignore[attr-defined]
            try:
                call_command(Command(), sender="noa@gmail.example", recipient=[SUPPORT])
            except SystemExit as exc:
                out.setdefault("exit", []).append(exc.code)
            finally:
                sys.stdin.buffer.close()  # type: ignore[attr-defined]
                sys.stdin = sys.__stdin__
                feeder.join()

        through_pipe(None, warm)
        out["after_warm_up_mb"] = memory()
        trail = MemoryTrail()
        undo = patched(trail, MEMORY_STORE)
        began = time.perf_counter()
        try:
            with connection.execute_wrapper(trail):
                through_pipe(Path(os.environ["BENCH_RSS_FILE"]))
        finally:
            undo()
    else:
        row, _created = inbound_store(raw=warm, via=Via.PIPE)
        inbound_process(mail_id=row.pk)
        out["after_warm_up_mb"] = memory()
        row = InboundMail.objects.only("pk").get(message_id=os.environ["BENCH_RSS_MESSAGE_ID"])
        trail = MemoryTrail()
        undo = patched(trail, MEMORY_PROCESS)
        began = time.perf_counter()
        try:
            with connection.execute_wrapper(trail):
                out["status"] = inbound_process(mail_id=row.pk)
        finally:
            undo()
        row = InboundMail.objects.defer("raw").get(pk=row.pk)  # raw: 35 MB more, after the step
        out["warnings"] = row.warnings
        kept = row.case_message.attachments.values_list("filename", "size") if row.case_message_id else []
        out["attachments_kept"] = list(kept)
    out["seconds"] = rounded(time.perf_counter() - began, 2)
    out["after_mb"] = memory()
    out["ru_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["trail"] = trail.steps
    return out


# Linux keeps a process's ru_maxrss across exec, and a forked child starts from its parent's
# peak: a process started from this one (whose peak includes the 35 MB test mail it wrote)
# never reports less than that. A small Python in between forks the measured process from a
# small parent and writes the child's own peak (KiB) to the pipe whose fd it is given first.
_FRESH_PEAK = (
    "import os, sys\n"
    "fd = int(sys.argv[1])\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.close(fd)\n"
    "    os.execv(sys.argv[2], sys.argv[2:])\n"
    "_pid, status, usage = os.wait4(pid, 0)\n"
    "os.write(fd, str(usage.ru_maxrss).encode())\n"
    "sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)\n"
)


def measured_process(argv: list[str], *, env: dict, cwd: str, stdin_path: Path | None = None) -> dict:
    """Run a process to its end; its exit code, wall time and peak RSS (wait4's ru_maxrss,
    taken by a small parent: see _FRESH_PEAK)."""
    began = time.perf_counter()
    peak_read, peak_write = os.pipe()
    with open(stdin_path or os.devnull, "rb") as stdin:
        proc = subprocess.Popen(
            [sys.executable, "-c", _FRESH_PEAK, str(peak_write), *argv],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            pass_fds=(peak_write,),
        )
        os.close(peak_write)
        stderr = proc.stderr.read()  # type: ignore[union-attr]
        proc.wait()
    with os.fdopen(peak_read, "rb") as peak:
        peak_kb = int(peak.read() or 0)
    return {
        "exit": proc.returncode,
        "seconds": rounded(time.perf_counter() - began, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "stderr": stderr.decode(errors="replace")[-300:],
    }


def attachment_phase(env: dict, app_root: str, tmp: Path) -> dict:
    """A mail with a 25 MB attachment: `manage.py mailgate` with the default limits (refused),
    the mailgate command in a fresh process with its memory trail, then per variant (attachment
    kept; refused by the 10 MB attachment limit) `manage.py mailgate` and a fresh process that
    processes the row, with its memory trail."""
    python, script = sys.executable, str(Path(__file__).resolve())
    mailgate = [python, "manage.py", "mailgate", "--sender", "noa@gmail.example", "--recipient", SUPPORT]
    out: dict = {"attachment_bytes": BIG_ATTACHMENT}
    raised = {"AMENDS_MAIL_MAX_BYTES": str(64 * 2**20)}

    def child(name: str, extra: dict) -> dict:
        rss_out = tmp / f"rss-{name}.json"
        child_env = env | extra | {"BENCH_ROLE": "rss", "BENCH_OUT": str(rss_out)}
        result = measured_process([python, script], env=child_env, cwd=app_root)
        result["inside"] = json.loads(rss_out.read_text()) if rss_out.exists() else None
        return result

    path = tmp / "big-store.eml"
    path.write_bytes(big_mail(f"bigstore.{os.getpid()}.{int(time.time())}@gmail.example", BIG_ATTACHMENT))
    out["mail_bytes"] = path.stat().st_size
    log("[attachment] mailgate with the default limits; the mailgate command with its memory trail")
    out["mailgate_default_limits"] = measured_process(mailgate, env=env, cwd=app_root, stdin_path=path)
    out["store_trail"] = child("store", raised | {"BENCH_RSS_STEP": "store", "BENCH_RSS_FILE": str(path)})
    path.unlink()
    variants = [
        ("kept", raised | {"AMENDS_ATTACHMENT_MAX_BYTES": str(32 * 2**20)}),
        ("refused (10 MB attachment limit)", raised),
    ]
    for i, (name, limits) in enumerate(variants):
        message_id = f"big{i}.{os.getpid()}.{int(time.time())}@gmail.example"
        path = tmp / f"big{i}.eml"
        path.write_bytes(big_mail(message_id, BIG_ATTACHMENT))
        log(f"[attachment] {name}: mailgate, then a fresh worker process")
        stored = measured_process(mailgate, env=env | limits, cwd=app_root, stdin_path=path)
        worker = child(
            f"process{i}", limits | {"BENCH_RSS_STEP": "process", "BENCH_RSS_MESSAGE_ID": message_id}
        )
        out[name] = {"limits": limits, "mailgate": stored, "worker": worker}
        path.unlink()
    return out


def sink_main() -> None:
    """The outbound relay: an aiosmtpd server that accepts and counts (another process, as a
    local MTA would be). Prints its port, then on SIGTERM what it received."""
    from aiosmtpd.controller import Controller

    class Counter:
        def __init__(self):
            self.accepted = 0
            self.bytes = 0

        async def handle_DATA(self, server, session, envelope):
            self.accepted += 1
            self.bytes += len(envelope.original_content or b"")
            return "250 2.0.0 OK"

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # for sigwait, in every thread
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    print(port, flush=True)
    signal.sigwait({signal.SIGTERM})
    controller.stop()
    print(json.dumps({"accepted": handler.accepted, "bytes": handler.bytes}), flush=True)


def sink_start() -> tuple[subprocess.Popen, int]:
    sink = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--sink"], stdout=subprocess.PIPE, text=True
    )
    return sink, int(sink.stdout.readline())  # type: ignore[union-attr]


def sink_stop(sink: subprocess.Popen) -> dict:
    sink.send_signal(signal.SIGTERM)
    out, _err = sink.communicate(timeout=30)
    return json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


# --- the report ---------------------------------------------------------------------------------


def print_table(report: dict) -> None:
    print()
    print(f"code {report['git_commit']}; {report['machine']['nproc']} cores, {report['machine']['cpu']}")

    def row(label: str, r: dict | None, extra: str = "") -> None:
        if not r:
            return
        pg = r.get("postgres_cpu_ms_per_mail")
        cpu = f"{r['python_cpu_ms_per_mail']:.2f}" + (f"+{pg:.2f}" if pg is not None else "")
        print(f"  {label:<44}{r['n']:>7,}{r['wall_s']:>9.1f}{r['per_s']:>9.1f}{cpu:>14}  {extra}")

    for db in ("postgres", "sqlite"):
        r = report.get(db)
        if not r:
            continue
        d = r["data"]
        print(f"\n{db}: {d['cases']:,} cases, {d['customers']:,} customers, {d['clocks']:,} clocks")
        print(f"  {'':<44}{'mails':>7}{'wall s':>9}{'mails/s':>9}{'CPU ms/mail':>14}")
        row("store: mailgate command, in process", r["store"])
        c = r["process"]["checks"]
        row(
            "process: the drain task, one worker",
            r["process"],
            f"{c['as_expected']}/{c['rows']} as expected, {r['process']['queries_per_mail']} queries/mail",
        )
        print(f"  {'store, then process (one after the other)':<60}{r['end_to_end_per_s']:>9.1f}")
        if "concurrent" in r:
            c = r["concurrent"]
            verdict = "meets" if c["per_s"] >= TARGET_IN_PER_S else "MISSES"
            print(
                f"  {'end to end: mailgate and the worker at once':<44}{c['n']:>7,}{c['wall_s']:>9.1f}"
                f"{c['per_s']:>9.1f}{c['worker_python_cpu_ms_per_mail']:>14.2f}  "
                f"{verdict} {TARGET_IN_PER_S}/s, "
                f"{c['checks']['as_expected']}/{c['checks']['rows']} as expected"
            )
        if "outbound" in r:
            o = r["outbound"]
            verdict = "meets" if o["per_s"] >= TARGET_OUT_PER_S else "MISSES"
            row("outbound: worker → SMTP sink", o, f"{verdict} {TARGET_OUT_PER_S}/s")
        w = r["process"]
        both = min(r["store"]["per_s"], w["per_s"])
        print(f"  {'  store and process overlapping (the slower of the two)':<60}{both:>9.1f}")
        if "imap" in r:
            i = r["imap"]
            row("IMAP: mailbox_poll (fetch + store + \\Seen)", i["poll"])
            row("IMAP: process: one worker", i["process"])
            print(f"  {'IMAP end to end':<60}{i['end_to_end_per_s']:>9.1f}")
        if "mailgate_processes" in r:
            m = r["mailgate_processes"]
            print(
                f"  mailgate, a process per mail: {m['one_at_a_time']['per_s']}/s one at a time, "
                f"{m['parallel']['per_s']}/s with {m['parallel']['processes']} at a time; start-up "
                + ", ".join(f"{k} {v:.0f} ms" for k, v in m["startup_ms_median"].items())
            )
        if "by_parts" in r:
            b = r["by_parts"]
            print(
                f"\n  the drain by parts ({b['summary']['n']} mails, {b['ms_per_mail']} ms/mail, "
                f"{b['queries_per_mail']} queries, SQL {b['sql_ms_per_mail']} ms)"
            )
            for label, v in b["parts"].items():
                if v["calls"]:
                    print(
                        f"    {label:<52}{v['ms_per_mail']:>8.2f} ms  "
                        f"SQL {v['sql_ms_per_mail']:>6.2f}  {v['calls']}"
                    )
    a = report.get("attachment_25mb")
    if a:
        print(f"\n25 MB attachment ({a['mail_bytes'] / 2**20:.1f} MiB mail):")
        d = a["mailgate_default_limits"]
        print(f"  mailgate, default limits: exit {d['exit']}, peak RSS {d['peak_rss_mb']} MB")

        def rises(result: dict) -> str:
            steps = sorted((result.get("inside") or {}).get("trail", []), key=lambda t: -t["rise_mb"])[:4]
            return "; ".join(f"+{t['rise_mb']:.0f} MB {t['during'][:60]}" for t in steps)

        s = a.get("store_trail")
        if s:
            print(f"  mailgate command, limits raised (fresh process): peak RSS {s['peak_rss_mb']} MB")
            print(f"    rises: {rises(s)}")
        for name in ("kept", "refused (10 MB attachment limit)"):
            v = a.get(name)
            if not v:
                continue
            inside = v["worker"].get("inside") or {}
            peak = v["worker"]["peak_rss_mb"]
            verdict = "meets" if peak <= TARGET_RSS_MB else "MISSES"
            print(
                f"  {name}: mailgate exit {v['mailgate']['exit']}, peak {v['mailgate']['peak_rss_mb']} MB; "
                f"worker {inside.get('status')} in {inside.get('seconds')} s, peak RSS {peak} MB "
                f"(after warm-up {inside.get('after_warm_up_mb', {}).get('VmHWM')}) "
                f"{verdict} {TARGET_RSS_MB} MB"
            )
            print(f"    rises: {rises(v['worker'])}")
    if report.get("sink"):
        print(f"\nSMTP sink accepted {report['sink'].get('accepted')} mails")
    print()


def working_tree_snapshot() -> tuple[Path, str]:
    """--live-tree: the working tree's amends/ and manage.py (tracked and untracked, not ignored),
    copied once, so edits made during the run (half an hour) cannot mix versions."""
    root = Path(__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "amends", "manage.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    target = Path(tempfile.mkdtemp(prefix="amends-bench-code-"))
    for name in files:
        source = root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target, commit + " + working tree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--imap-mails", type=int, default=10_000)
    parser.add_argument("--outbound", type=int, default=5_000, help="acknowledgements sent, at most")
    parser.add_argument("--subprocess-mails", type=int, default=200)
    parser.add_argument("--sqlite-cases", type=int, default=100_000)
    parser.add_argument("--sqlite-mails", type=int, default=2_000)
    parser.add_argument("--no-attachment", action="store_true", help="skip the 25 MB attachment")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument(
        "--live-tree", action="store_true", help="measure a copy of the working tree, not HEAD"
    )
    parser.add_argument("--label", default="")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.sink:
        sink_main()
        return
    if os.environ.get("BENCH_ROLE"):
        child_main(os.environ["BENCH_ROLE"], opts)
        return

    started = datetime.now(UTC)
    app_root, commit = working_tree_snapshot() if opts.live_tree else code_snapshot(False)
    tmp = Path(tempfile.mkdtemp(prefix="amends-bench-mail-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_") and k != "DATABASE_URL"}
    base |= {
        "DJANGO_SETTINGS_MODULE": "amends.settings",
        "AMENDS_LOG_LEVEL": "WARNING",
        # One backend per phase, so its CPU time can be read; the default 60 s changes nothing else.
        "AMENDS_DB_CONN_MAX_AGE": "3600",
        "BENCH_APP_ROOT": str(app_root),
        "BENCH_COMMIT": commit,
    }
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/mail.py", *sys.argv[1:]]),
        "git_commit": commit,
        "machine": machine_info(),
        "targets": {"in_per_s": TARGET_IN_PER_S, "out_per_s": TARGET_OUT_PER_S, "rss_mb": TARGET_RSS_MB},
    }
    script = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    sink = None
    failed = False

    def child_run(role: str, env: dict) -> bool:
        """One child; its report, whole or as far as it got (it saves after every phase)."""
        out = tmp / f"{role}.json"
        done = subprocess.run(script, cwd=app_root, env=env | {"BENCH_ROLE": role, "BENCH_OUT": str(out)})
        report[role] = json.loads(out.read_text()) if out.exists() else {}
        if done.returncode:
            report[role]["incomplete"] = f"the child exited with {done.returncode}"
            log(f"[{role}] the child exited with {done.returncode}: results so far are kept")
        return bool(done.returncode)

    try:
        if opts.db in ("postgres", "both"):
            sink, port = sink_start()
            env = base | {
                "DATABASE_URL": DB_URL,
                "AMENDS_VAR_DIR": str(tmp / "postgres"),
                "AMENDS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "AMENDS_EMAIL_HOST": "127.0.0.1",
                "AMENDS_EMAIL_PORT": str(port),
                "AMENDS_EMAIL_TIMEOUT": "10",
                "BENCH_SINK_PID": str(sink.pid),
            }
            log(f"database {DB_NAME}: drop and create; code at {commit}")
            pg_admin(
                ADMIN_URL, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"
            )
            failed = child_run("postgres", env)
            report["sink"] = sink_stop(sink)
            sink = None
            if not opts.no_attachment and not failed:
                report["attachment_25mb"] = attachment_phase(env, str(app_root), tmp)
        if opts.db in ("sqlite", "both") and not failed:
            failed = child_run("sqlite", base | {"AMENDS_VAR_DIR": str(tmp / "sqlite")})
    finally:
        if sink is not None:
            sink_stop(sink)
        if opts.db in ("postgres", "both") and not opts.keep:
            pg_admin(ADMIN_URL, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            log(f"dropped {DB_NAME}")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(app_root, ignore_errors=True)
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if failed:
        name = f"{started:%Y%m%dT%H%M%SZ}-mail-{opts.cases}-incomplete.json"
        (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        raise SystemExit(f"incomplete; results so far: {RESULTS_DIR / name}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{started:%Y%m%dT%H%M%SZ}-mail-{opts.cases}{'-' + opts.label if opts.label else ''}.json"
    (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print_table(report)
    print(f"results: {RESULTS_DIR / name}")


if __name__ == "__main__":
    main()
