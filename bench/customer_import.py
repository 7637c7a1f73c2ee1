"""Customer value CSV import speed and memory (issue 7, point 5).

    python bench/customer_import.py [--rows 100000[,300000]] [--db sqlite,pg] [--encoding cp1255]
                                    [--live-tree]

For each database and row count, on a database of its own (SQLite: a file in a temporary
folder; PostgreSQL: amends_bench_value, dropped and created on the server of $BENCH_PG_URL,
else $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres):

  1. a child process migrates, creates as many customers as rows (each with an email
     identity, through bulk inserts) and a lead, writes the CSV — email, a name in the
     encoding's script (first and last names from lists of about a dozen each; all three
     scripts for UTF-8), the three figures; 1 % of the lines with a bad number, 1 % with an
     unknown email — in --encoding (windows-1255 by default: the code page is detected, the
     slower path), and uploads it with value_import_request (the task is queued, not run);
  2. a fresh child process runs the import (value_import_run, one uninterrupted turn) and
     reports its wall time, rows per second, and peak RSS (VmHWM from /proc) before and after;
  3. the counts are checked (every good line applied, every bad line reported).

It prints a table and writes JSON to bench/results/. Like bench/reports.py it measures the
committed HEAD, exported to a temporary folder (--live-tree: the working tree). Run it on a
quiet machine; docs/performance.md, "Customer value import", has the method and results.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = {
    "cp1255": ["נועה", "יוסי", "שירה", "דוד", "מיכל", "אבי", "רחל", "משה", "תמר", "עומר", "ליאת", "אורי"],
    "cp1256": ["ليلى", "خالد", "محمد", "فاطمة", "أحمد", "مريم", "يوسف", "سارة", "عمر", "نور", "حسن", "رنا"],
    "cp1251": ["Анна", "Игорь", "Мария", "Сергей", "Ольга", "Дмитрий", "Елена", "Павел", "Ирина", "Олег"],
}
LAST = {
    "cp1255": ["כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן", "שפירא", "דהן", "אזולאי"],
    "cp1256": ["حسن", "منصور", "عبد الله", "الزهراء", "يوسف", "عيسى", "خوري", "حداد", "نصر", "سليمان"],
    "cp1251": ["Смирнова", "Волков", "Иванова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Новиков"],
}


def _names(encoding: str) -> list[str]:
    """A hundred or so first-and-last names in the encoding's script (all three for UTF-8)."""
    scripts = [encoding] if encoding in FIRST else list(FIRST)
    return [f"{first} {last}" for script in scripts for first in FIRST[script] for last in LAST[script]]


def _vm(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_setup(rows: int, encoding: str, folder: Path) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    import bench.djangosetup  # noqa: F401  (starts Django)
    from amends.accounts.models import Role
    from amends.accounts.services import user_create
    from amends.core import clock
    from amends.customers.models import Customer, CustomerIdentity, IdentityKind
    from amends.customers.value.imports import value_import_request

    # The signal lexicons' seed (insight 0002) plays no part in an import: recorded as applied
    # without running, which also keeps this bench independent of the lexicons' contents.
    call_command("migrate", "insight", "0001", verbosity=0, interactive=False)
    call_command("migrate", "insight", "0002", fake=True, verbosity=0, interactive=False)
    call_command("migrate", verbosity=0, interactive=False)
    now = clock.now()
    started = time.monotonic()
    for start in range(0, rows, 5000):
        made = Customer.objects.bulk_create(
            [
                Customer(full_name=f"Customer {i}", created_at=now)
                for i in range(start, min(rows, start + 5000))
            ]
        )
        CustomerIdentity.objects.bulk_create(
            [
                CustomerIdentity(
                    customer=c, kind=IdentityKind.EMAIL, value=f"c{start + n}@example.com", created_at=now
                )
                for n, c in enumerate(made)
            ]
        )
    load_s = time.monotonic() - started
    names = _names(encoding)
    path = folder / f"values-{rows}.csv"
    bad = unknown = 0
    with open(path, "w", encoding=encoding, newline="") as out:
        out.write("email,name,purchases_per_year,expected_years,margin_per_purchase\r\n")
        for i in range(rows):
            email, purchases = f"c{i}@example.com", f"{1 + i % 12}"
            if i % 100 == 37:
                purchases, bad = "twelve", bad + 1
            elif i % 100 == 73:
                email, unknown = f"nobody{i}@example.com", unknown + 1
            out.write(f"{email},{names[i % len(names)]},{purchases},{1 + i % 9},{(i % 500) + 0.5:.2f}\r\n")
    lead = user_create(username="bench-lead", email="lead@bench.test", full_name="Bench Lead", role=Role.LEAD)
    with open(path, "rb") as data:
        value_import = value_import_request(
            user=lead, upload=SimpleUploadedFile(path.name, data.read(), "text/csv")
        )
    return {
        "import_id": value_import.pk,
        "file_bytes": path.stat().st_size,
        "customers_load_s": round(load_s, 1),
        "bad": bad,
        "unknown": unknown,
    }


def child_run(import_id: int) -> dict:
    import bench.djangosetup  # noqa: F401
    from amends.customers.models import CustomerValueImport
    from amends.customers.value.imports import value_import_run

    baseline = _vm("VmHWM")
    started = time.monotonic()
    outcome = value_import_run(import_id=import_id, slice_seconds=1e9)
    seconds = time.monotonic() - started
    done = CustomerValueImport.objects.get(pk=import_id)
    return {
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "rows_read": done.rows_read,
        "rows_applied": done.rows_applied,
        "rows_failed": done.rows_failed,
        "encoding": done.encoding,
        "rows_per_s": round(done.rows_read / seconds),
        "rss_before_mb": round(baseline, 1),
        "peak_rss_mb": round(_vm("VmHWM"), 1),
    }


def _child(args: list[str], env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        cwd=env["BENCH_APP_ROOT"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {args[0]} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _pg_base() -> str:
    return os.environ.get("BENCH_PG_URL") or os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )


def measure(db: str, rows: int, encoding: str, app_root: Path) -> dict:
    from bench.run import pg_admin, pg_url_for

    with tempfile.TemporaryDirectory(prefix="amends-bench-value-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_") and k != "DATABASE_URL"}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "amends.settings",
                "AMENDS_VAR_DIR": str(folder),
                "AMENDS_LOG_LEVEL": "WARNING",
                "BENCH_APP_ROOT": str(app_root),
            }
        )
        if db == "pg":
            base = _pg_base()
            pg_admin(base, "DROP DATABASE IF EXISTS amends_bench_value", "CREATE DATABASE amends_bench_value")
            env["DATABASE_URL"] = pg_url_for(base, "amends_bench_value")
        try:
            setup = _child(["--child-setup", str(rows), encoding, str(folder)], env)
            run = _child(["--child-run", str(setup["import_id"])], env)
        finally:
            if db == "pg":
                pg_admin(_pg_base(), "DROP DATABASE IF EXISTS amends_bench_value")
    expected_failed = setup["bad"] + setup["unknown"]
    assert run["rows_read"] == rows and run["rows_failed"] == expected_failed, run
    assert run["rows_applied"] == rows - expected_failed, run
    return {"db": db, "rows": rows, "encoding_written": encoding, **setup, **run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000")
    parser.add_argument("--db", default="sqlite,pg")
    parser.add_argument("--encoding", default="cp1255")
    parser.add_argument("--live-tree", action="store_true", help="measure the working tree, not HEAD")
    parser.add_argument("--child-setup", nargs=3)
    parser.add_argument("--child-run")
    opts = parser.parse_args()
    if opts.child_setup:
        rows, encoding, folder = opts.child_setup
        print(json.dumps(child_setup(int(rows), encoding, Path(folder))))
        return
    if opts.child_run:
        print(json.dumps(child_run(int(opts.child_run))))
        return
    from bench.run import RESULTS_DIR, code_snapshot, log, machine_info

    app_root, commit = code_snapshot(opts.live_tree)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"customer-import-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    results: list[dict] = []
    try:
        for db in opts.db.split(","):
            for rows in (int(r) for r in opts.rows.split(",")):
                log(f"{db}: {rows:,} rows in {opts.encoding}, code at {commit} …")
                results.append(measure(db, rows, opts.encoding, app_root))
                log(f"  {json.dumps(results[-1])}")
                out.write_text(
                    json.dumps({"commit": commit, "machine": machine_info(), "results": results}, indent=2)
                )
    finally:
        if not opts.live_tree:
            shutil.rmtree(app_root, ignore_errors=True)
    columns = ("rows", "file MB", "encoding", "seconds", "rows/s")
    print(f"{'db':7} " + " ".join(f"{c:>8}" for c in columns) + f" {'peak RSS MB':>12}")
    for r in results:
        print(
            f"{r['db']:7} {r['rows']:>8,} {r['file_bytes'] / 1e6:>8.1f} {r['encoding']:>9} "
            f"{r['seconds']:>8.1f} {r['rows_per_s']:>8,} {r['peak_rss_mb']:>12.1f}"
        )
    log(f"written {out}")


if __name__ == "__main__":
    main()
