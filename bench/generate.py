"""Fill an empty, migrated Amends database with N realistic cases, fast.

Run by bench/run.py in a child process whose environment points DATABASE_URL at the bench
database. Stand-alone:  DATABASE_URL=... python bench/generate.py --cases 100000 --info out.json

Why not `case_open`: the service renders and queues a notification and runs ~12 queries per
case (about 5 ms each on PostgreSQL here), so 100,000 cases would take many minutes. The
generator writes the same rows with `bulk_create` in batches of BATCH cases, one transaction
per batch, and keeps them consistent with what the services write:
  - every case has a Customer with CustomerIdentity rows (unique normalised email/phone),
    1-6 Messages (the first is the customer's words, inbound, on the case's channel),
    a "cases.opened" AuditEvent (plus assigned/replied/note_added/resolved/closed events
    matching its messages and status) and a "received" Notification;
  - references are unique and drawn from the same alphabet as `reference_new`;
  - public_id values are uuid4, intake_key is set for web-form cases as the form does;
  - owned cases are never "new" (claiming opens a case), resolved/closed cases carry a
    decision, resolution type and resolved_at/closed_at, first_responded_at is the first
    reply, updated_at the last activity.
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import djangosetup  # noqa: F401  (sys.path and django.setup(); must come before amends imports)
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from amends.accounts.models import Role, Team, User
from amends.accounts.services import api_token_create
from amends.cases import events
from amends.cases.choices import (
    Channel,
    Decision,
    DesiredOutcome,
    MessageKind,
    MessagePurpose,
    Priority,
    ResolutionType,
    Status,
)
from amends.cases.models import Case, Category, Message
from amends.cases.services.references import ALPHABET, PREFIX
from amends.core import clock
from amends.core.models import AuditEvent
from amends.customers.models import Customer, CustomerIdentity, IdentityKind
from amends.notify.models import Notification, NotificationStatus
from bench import texts

# The queue sorts on first_response_due; the bench needs plausible values, not the business
# calendar (the sweep bench, bench/sweep.py, loads real clocks).
FIRST_RESPONSE_WITHIN = {
    "urgent": timedelta(hours=2),
    "high": timedelta(hours=4),
    "normal": timedelta(hours=8),
    "low": timedelta(hours=24),
}
BATCH = 5000  # cases per transaction: big enough to amortise commits, small enough for RAM
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-password-1"  # a throw-away database; the password only guards it
N_AGENTS = 24  # plus the bench agent

LANG_WEIGHTS = {"he": 35, "ar": 20, "ru": 20, "en": 25}
STATUS_WEIGHTS = {
    Status.NEW: 8,
    Status.OPEN: 17,
    Status.WAITING: 5,
    Status.RESOLVED: 15,
    Status.CLOSED: 55,
}
PRIORITY_WEIGHTS = {Priority.LOW: 15, Priority.NORMAL: 60, Priority.HIGH: 20, Priority.URGENT: 5}
CHANNEL_WEIGHTS = {Channel.WEB: 40, Channel.EMAIL: 30, Channel.PHONE: 15, Channel.API: 10, Channel.WALK_IN: 5}
REPEAT_SHARE = 0.3  # share of cases from a customer who complained before (history sidebar)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _staff(rng: random.Random) -> tuple[User, list[User], list[Team], str]:
    teams = Team.objects.bulk_create(
        [
            Team(name=n, slug=s)
            for n, s in [("Customer care", "care"), ("Billing", "billing"), ("Field service", "field")]
        ]
    )
    password = make_password(BENCH_PASSWORD)  # hashed once, shared: PBKDF2 per user is slow
    people = [(BENCH_USERNAME, "Bench Agent", ["he", "en"])]
    pool = [n for lang in ("he", "ar", "ru", "en") for n in texts.FIRST_NAMES[lang]]
    for i in range(N_AGENTS):
        first = pool[i % len(pool)][1].title()
        people.append(
            (f"agent{i + 1}", f"{first} Agent{i + 1}", [rng.choice(["he", "ar", "ru", "en"]), "en"])
        )
    users = User.objects.bulk_create(
        [
            User(
                username=u,
                email=f"{u}@amends.localhost",
                full_name=name,
                role=Role.AGENT,
                languages=langs,
                password=password,
            )
            for u, name, langs in people
        ]
    )
    users = list(User.objects.filter(username__in=[p[0] for p in people]).order_by("id"))
    through = User.teams.through
    through.objects.bulk_create(
        [through(user_id=u.pk, team_id=teams[i % len(teams)].pk) for i, u in enumerate(users)]
    )
    bench = users[0]
    _token, raw = api_token_create(user=bench, name="bench")
    return bench, users, teams, raw


def _references(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(PREFIX + "".join(rng.choice(ALPHABET) for _ in range(6)))
    out = list(seen)
    rng.shuffle(out)
    return out


def generate(*, cases: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    now = clock.now()
    bench, agents, teams, api_key = _staff(rng)
    team_of = {u.pk: teams[i % len(teams)] for i, u in enumerate(agents)}
    categories = list(Category.objects.all())

    # When each case arrived: spread over two years, ids in time order as in real life.
    span = timedelta(days=730).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(cases))
    start = now - timedelta(days=730, hours=1)
    arrivals = [start + timedelta(seconds=o) for o in offsets]

    # Who complained: most customers once, REPEAT_SHARE of cases from a returning customer.
    n_customers = max(1, int(cases * (1 - REPEAT_SHARE)))
    owner_of_case: list[int] = []
    for i in range(cases):
        owner_of_case.append(i if i < n_customers else rng.randrange(n_customers))
    rng.shuffle(owner_of_case)
    first_seen: dict[int, int] = {}
    for i, c in enumerate(owner_of_case):
        first_seen.setdefault(c, i)

    # Customers and their identities, in batches.
    customer_pk: dict[int, int] = {}
    customer_lang: dict[int, str] = {}
    customer_name: dict[int, str] = {}
    customer_has_email: dict[int, bool] = {}
    order = sorted(first_seen, key=first_seen.get)
    for b in range(0, len(order), BATCH):
        chunk = order[b : b + BATCH]
        rows, idents = [], []
        for c in chunk:
            lang = _pick(rng, LANG_WEIGHTS)
            first, first_latin = rng.choice(texts.FIRST_NAMES[lang])
            last, last_latin = rng.choice(texts.LAST_NAMES[lang])
            name = f"{first} {last}" if rng.random() < 0.92 else ""
            customer_lang[c], customer_name[c] = lang, name
            rows.append(Customer(full_name=name, language=lang, created_at=arrivals[first_seen[c]]))
            kinds = rng.choices(["email", "phone", "both"], weights=[60, 20, 20])[0]
            customer_has_email[c] = kinds != "phone"
            idents.append(
                (
                    c,
                    kinds,
                    f"{first_latin}.{last_latin}.{c}@example.com",
                    f"{texts.PHONE_PREFIXES[lang]}{c:07d}",
                )
            )
        with transaction.atomic():
            created = Customer.objects.bulk_create(rows, batch_size=BATCH)
            ident_rows = []
            for (c, kinds, email, phone), obj in zip(idents, created, strict=True):
                customer_pk[c] = obj.pk
                for kind, value, wanted in (
                    (IdentityKind.EMAIL, email, kinds in ("email", "both")),
                    (IdentityKind.PHONE, phone, kinds in ("phone", "both")),
                ):
                    if wanted:
                        ident_rows.append(
                            CustomerIdentity(
                                customer_id=obj.pk, kind=kind, value=value, created_at=obj.created_at
                            )
                        )
            CustomerIdentity.objects.bulk_create(ident_rows, batch_size=BATCH)

    references = _references(rng, cases)
    counts = {"cases": 0, "messages": 0, "events": 0, "notifications": 0}
    sample: list[str] = []
    hour = timedelta(hours=1)
    for b in range(0, cases, BATCH):
        case_rows, plans = [], []
        for i in range(b, min(b + BATCH, cases)):
            c = owner_of_case[i]
            lang = customer_lang[c]
            created = arrivals[i]
            status = _pick(rng, STATUS_WEIGHTS)
            owner = None if status == Status.NEW else (bench if rng.random() < 0.04 else rng.choice(agents))
            team = team_of[owner.pk] if owner else (rng.choice(teams) if rng.random() < 0.5 else None)
            priority = _pick(rng, PRIORITY_WEIGHTS)
            channel = _pick(rng, CHANNEL_WEIGHTS)
            subject, body = rng.choice(texts.COMPLAINTS[lang])
            if rng.random() < 0.5:
                body = f"{body} {rng.choice(texts.DETAILS[lang])}"
            n_messages = rng.randint(1, 6)
            # Message times: the complaint, then activity every few hours, never in the future.
            times = [created]
            for _ in range(n_messages - 1):
                times.append(min(times[-1] + timedelta(minutes=rng.randint(20, 2880)), now - hour))
            times = [max(t, created) for t in times]
            kinds = [MessageKind.INBOUND]
            for j in range(1, n_messages):
                if owner is None:
                    kinds.append(MessageKind.NOTE if j % 2 else MessageKind.INBOUND)
                else:
                    kinds.append((MessageKind.OUTBOUND, MessageKind.INBOUND, MessageKind.NOTE)[(j - 1) % 3])
            finished = status in (Status.RESOLVED, Status.CLOSED)
            if finished and n_messages > 1:
                kinds[-1] = MessageKind.OUTBOUND
            first_reply = next(
                (t for t, k in zip(times, kinds, strict=True) if k == MessageKind.OUTBOUND), None
            )
            resolved_at = times[-1] + hour if finished else None
            closed_at = resolved_at + timedelta(days=7) if status == Status.CLOSED else None
            if closed_at and closed_at > now:
                closed_at = now - timedelta(minutes=1)
            updated = max(t for t in [times[-1], resolved_at, closed_at] if t is not None)
            case_rows.append(
                Case(
                    public_id=uuid.uuid4(),
                    reference=references[i],
                    customer_id=customer_pk[c],
                    channel=channel,
                    language=lang,
                    subject=subject,
                    category=rng.choice(categories) if status != Status.NEW or rng.random() < 0.3 else None,
                    priority=priority,
                    status=status,
                    owner=owner,
                    team=team,
                    order_number=f"{rng.choice('ABC')}-{rng.randint(1000, 99999)}"
                    if rng.random() < 0.5
                    else "",
                    desired_outcome=rng.choice(DesiredOutcome.values),
                    vulnerable=rng.random() < 0.03,
                    decision=rng.choice(Decision.values) if finished else "",
                    resolution_type=rng.choice(ResolutionType.values) if finished else "",
                    # As case_open stores it: the SHA-256 of the form's submission token.
                    intake_key=hashlib.sha256(f"web:{uuid.uuid4().hex}".encode()).hexdigest()
                    if channel == Channel.WEB
                    else None,
                    created_at=created,
                    updated_at=updated,
                    first_response_due=created + FIRST_RESPONSE_WITHIN[priority],
                    first_responded_at=first_reply,
                    resolved_at=resolved_at,
                    closed_at=closed_at,
                )
            )
            plans.append((c, lang, owner, times, kinds, finished, status, body))
        with transaction.atomic():
            created_cases = Case.objects.bulk_create(case_rows, batch_size=BATCH)
            messages, audit, notes = [], [], []
            for case, (c, lang, owner, times, kinds, finished, status, first_body) in zip(
                created_cases, plans, strict=True
            ):
                opened = AuditEvent(
                    name=events.OPENED,
                    target_type="case",
                    target_id=case.pk,
                    actor_label="customer",
                    data={"channel": case.channel, "reference": case.reference, "attachments": 0},
                    created_at=case.created_at,
                )
                audit.append(opened)
                if owner is not None:
                    audit.append(
                        AuditEvent(
                            name=events.ASSIGNED,
                            target_type="case",
                            target_id=case.pk,
                            actor=owner,
                            actor_label=owner.full_name,
                            changes={"owner": [None, owner.full_name], "status": [Status.NEW, Status.OPEN]},
                            created_at=case.created_at + timedelta(minutes=5),
                        )
                    )
                for j, (t, kind) in enumerate(zip(times, kinds, strict=True)):
                    if kind == MessageKind.INBOUND:
                        body = first_body if j == 0 else rng.choice(texts.FOLLOW_UPS[lang])
                        msg = Message(
                            case=case,
                            kind=kind,
                            channel=case.channel,
                            author_name=customer_name[c],
                            body=body,
                            created_at=t,
                        )
                    elif kind == MessageKind.OUTBOUND:
                        last = finished and j == len(kinds) - 1
                        body = texts.RESOLUTIONS[lang] if last else rng.choice(texts.REPLIES[lang])
                        msg = Message(
                            case=case,
                            kind=kind,
                            purpose=MessagePurpose.RESOLUTION if last else "",
                            channel=case.channel,
                            author=owner,
                            author_name=owner.full_name,
                            body=body,
                            created_at=t,
                        )
                    else:
                        who = owner or rng.choice(agents)
                        msg = Message(
                            case=case,
                            kind=kind,
                            channel=case.channel,
                            author=who,
                            author_name=who.full_name,
                            body=rng.choice(texts.NOTES),
                            created_at=t,
                        )
                    messages.append(msg)
                if finished:
                    audit.append(
                        AuditEvent(
                            name=events.RESOLVED,
                            target_type="case",
                            target_id=case.pk,
                            actor=owner,
                            actor_label=owner.full_name,
                            changes={
                                "status": [Status.OPEN, Status.RESOLVED],
                                "resolution_type": ["", case.resolution_type],
                            },
                            created_at=case.resolved_at,
                        )
                    )
                if status == Status.CLOSED:
                    audit.append(
                        AuditEvent(
                            name=events.CLOSED,
                            target_type="case",
                            target_id=case.pk,
                            actor=owner,
                            actor_label=owner.full_name,
                            changes={"status": [Status.RESOLVED, Status.CLOSED]},
                            created_at=case.closed_at,
                        )
                    )
                has_email = customer_has_email[c]
                notes.append(
                    Notification(
                        case=case,
                        event="received",
                        language=lang,
                        to_address=f"customer{c}@example.com" if has_email else "",
                        subject=f"[{case.reference}] {case.subject}",
                        body=f"{case.reference}\n{case.subject}\n",
                        status=NotificationStatus.SENT if has_email else NotificationStatus.SKIPPED,
                        attempts=1 if has_email else 0,
                        created_at=case.created_at,
                        sent_at=case.created_at if has_email else None,
                    )
                )
            created_messages = Message.objects.bulk_create(messages, batch_size=BATCH)
            for msg in created_messages:
                if msg.kind == MessageKind.OUTBOUND or msg.kind == MessageKind.NOTE:
                    audit.append(
                        AuditEvent(
                            name=events.REPLIED if msg.kind == MessageKind.OUTBOUND else events.NOTE_ADDED,
                            target_type="case",
                            target_id=msg.case_id,
                            actor=msg.author,
                            actor_label=msg.author_name,
                            data={"message": str(msg.public_id)},
                            created_at=msg.created_at,
                        )
                    )
            AuditEvent.objects.bulk_create(audit, batch_size=BATCH)
            Notification.objects.bulk_create(notes, batch_size=BATCH)
        counts["cases"] += len(created_cases)
        counts["messages"] += len(messages)
        counts["events"] += len(audit)
        counts["notifications"] += len(notes)
        sample.extend(str(c.public_id) for c in rng.sample(created_cases, min(len(created_cases), 60)))
        print(f"  generated {counts['cases']:>7} cases", file=sys.stderr, flush=True)

    _analyse()
    elapsed = time.perf_counter() - started
    rng.shuffle(sample)
    return {
        "counts": {**counts, "customers": len(customer_pk), "identities": CustomerIdentity.objects.count()},
        "seconds": round(elapsed, 1),
        "rows_per_second": round(sum(counts.values()) / elapsed),
        "username": BENCH_USERNAME,
        "password": BENCH_PASSWORD,
        "api_key": api_key,
        "case_sample": sample[:1000],
        "open_cases": Case.objects.filter(status__in=(Status.NEW, Status.OPEN, Status.WAITING)).count(),
        "mine_open_cases": Case.objects.filter(
            owner=bench, status__in=(Status.NEW, Status.OPEN, Status.WAITING)
        ).count(),
        "known_emails": list(
            CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL)
            .order_by("?")
            .values_list("value", flat=True)[:200]
        ),
        "vendor": connection.vendor,
        "database": str(settings.DATABASES["default"]["NAME"]),
    }


def _analyse() -> None:
    """Planner statistics, as a live database would have them. PostgreSQL's autovacuum gathers
    them by itself after a bulk load (a little later); on SQLite Amends runs ANALYZE after
    migrating and daily in the worker (amends.core.maintenance), so the bench does it too
    unless BENCH_SQLITE_ANALYZE=0 (docs/performance.md shows what that changes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # also sets the visibility map, as autovacuum would
        elif os.environ.get("BENCH_SQLITE_ANALYZE", "1") == "1":
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--info", type=Path, required=True, help="write logins, counts and a case sample here"
    )
    args = parser.parse_args()
    info = generate(cases=args.cases, seed=args.seed)
    args.info.write_text(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
