"""Amends benchmark: generate N cases, time the desk pages, measure case-creation throughput
through the API and the public form against gunicorn, and the web worker's memory.

    python bench/run.py [--cases 100000] [--db sqlite|postgres|both] [--keep] ...

For each database it creates its own store (an SQLite file in a fresh temporary
AMENDS_VAR_DIR, or the PostgreSQL database --pg-db, dropped and created), migrates it,
generates the data (bench/generate.py), times the pages in-process with django.test.Client
(bench/inprocess.py), starts `gunicorn amends.wsgi` on 127.0.0.1 with DATABASE_URL pointing
at it, times the same pages over HTTP (client-observed, and server-side from gunicorn's
access log), runs the creation throughput phases with --clients concurrent clients, reads
the workers' VmRSS, stops gunicorn, prints a table and writes JSON to bench/results/.

The public form's per-client rate limit is raised for the run (AMENDS_FORM_RATE_LIMIT), since
every bench client comes from 127.0.0.1. docs/performance.md has the results and analysis.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import http_load  # noqa: E402
from bench.pages import CASE_PAGE, QUEUE_PAGES, case_path, summary_ms  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
FORM_RATE_LIMIT = "1000000000"  # effectively off: all bench clients share 127.0.0.1
TARGETS = {
    "queue_p95_ms": 50,
    "case_p95_ms": 50,
    "api_create_per_s": 400,
    "form_submit_per_s": 300,
    "worker_rss_mb": 200,
}
ACCESS_LOG_FORMAT = "%(m)s %(U)s?%(q)s %(s)s %(D)s"  # %(D)s: request time in µs inside gunicorn


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


# --- machine ------------------------------------------------------------------------------------


def machine_info() -> dict:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    versions = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, gunicorn, sqlite3;"
            "print(django.get_version(), gunicorn.__version__, sqlite3.sqlite_version)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": versions[0],
        "gunicorn": versions[1],
        "sqlite": versions[2],
    }


# --- databases ----------------------------------------------------------------------------------


def pg_admin(url: str, *statements: str) -> list:
    import psycopg

    rows = []
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        for sql in statements:
            cur = conn.execute(sql)
            if cur.description:
                rows.extend(cur.fetchall())
    return rows


def pg_url_for(base: str, dbname: str) -> str:
    head, _sep, _old = base.rpartition("/")
    return f"{head}/{dbname}"


def pg_settings(url: str) -> dict:
    names = [
        "server_version",
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "synchronous_commit",
        "fsync",
    ]
    return {n: pg_admin(url, f"SHOW {n}")[0][0] for n in names}


# --- gunicorn -----------------------------------------------------------------------------------


def gunicorn_start(env: dict, var_dir: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    # As in the Procfile, less --max-requests: a recycled worker would hide its memory growth.
    cmd = [
        str(gunicorn), "amends.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--graceful-timeout", "10",
        "--access-logfile", str(var_dir / "access.log"),
        "--access-logformat", ACCESS_LOG_FORMAT,
        "--error-logfile", str(var_dir / "gunicorn.log"),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=env["BENCH_APP_ROOT"], env=env, start_new_session=True)
    try:
        http_load.wait_until_up("127.0.0.1", port)
    except RuntimeError:
        gunicorn_stop(proc)
        log((var_dir / "gunicorn.log").read_text()[-3000:])
        raise
    return proc


def gunicorn_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def memory_of(pid: int) -> dict:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)  # MiB
    return out


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


class CpuMeter:
    """CPU used by the gunicorn workers and by the bench database's PostgreSQL backends during
    a phase: a cost per request that other load on the machine does not inflate much.

    Backends come and go (CONN_MAX_AGE), taking their CPU counters with them, so a sampler
    thread reads them every SAMPLE seconds and the last reading of a closed backend counts;
    at most one interval of a closed backend's CPU is missed."""

    SAMPLE = 0.25

    def __init__(self, master: int, pg_url: str | None, pg_db: str):
        self.master, self.pg_url, self.pg_db = master, pg_url, pg_db
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _backends(self, conn) -> list[int]:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.pg_db]).fetchall()
        return [r[0] for r in rows]

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True, connect_timeout=5) as conn:
            own = conn.info.backend_pid
            while True:
                for pid in self._backends(conn):
                    if pid == own:
                        continue
                    cpu = cpu_of(pid)
                    self.db_first.setdefault(pid, 0.0 if self._started else cpu)
                    if cpu:
                        self.db_last[pid] = cpu
                self._started = True
                self._ready.set()
                if self._stop.wait(self.SAMPLE):
                    break

    def start(self) -> None:
        self.web = {p: cpu_of(p) for p in worker_pids(self.master)}
        self.load = os.getloadavg()[0]
        self.db_first: dict[int, float] = {}
        self.db_last: dict[int, float] = {}
        if self.pg_url:
            self._started = False
            self._ready = threading.Event()
            self._stop.clear()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
            self._ready.wait(10)

    def stop(self, requests: int) -> dict:
        web = sum(cpu_of(p) - self.web.get(p, 0.0) for p in worker_pids(self.master))
        db = 0.0
        if self._thread is not None:
            self._stop.set()
            self._thread.join(10)
            self._thread = None
            db = sum(last - self.db_first.get(p, 0.0) for p, last in self.db_last.items())
        n = max(requests, 1)
        return {
            "web_cpu_ms_per_request": round(web / n * 1000, 2),
            "db_cpu_ms_per_request": round(db / n * 1000, 2) if self.pg_url else None,
            "loadavg_1m": [round(self.load, 2), round(os.getloadavg()[0], 2)],
        }


class AccessLog:
    """Reads the lines gunicorn appended since the last mark: server-side time per request."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def since_mark(self, method: str, target_prefix: str) -> list[float]:
        time.sleep(0.3)  # the worker logs just after sending the response
        with self.path.open("rb") as f:
            f.seek(self.offset)
            lines = f.read().decode(errors="replace").splitlines()
        seconds = []
        for line in lines:
            parts = line.split()
            if len(parts) == 4 and parts[0] == method and parts[1].startswith(target_prefix):
                seconds.append(int(parts[3]) / 1_000_000)
        return seconds


# --- one database -------------------------------------------------------------------------------


def code_snapshot(live_tree: bool) -> tuple[Path, str]:
    """The application code to measure: by default the committed HEAD, exported to a temporary
    folder, so commits or edits made while the bench runs (20+ minutes) cannot mix versions."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if live_tree:
        return ROOT, commit + " + working tree"
    target = Path(tempfile.mkdtemp(prefix="amends-bench-code-"))
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", "amends", "manage.py"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target, commit


def run_child(args: list[str], env: dict) -> None:
    started = time.perf_counter()
    if args[0].startswith("bench/"):
        args = [str(ROOT / args[0]), *args[1:]]
    subprocess.run([sys.executable, *args], cwd=env["BENCH_APP_ROOT"], env=env, check=True)
    log(f"  … {' '.join(args[:2])} took {time.perf_counter() - started:.1f} s")


def rerun_in_snapshot(
    script: str,
    opts: argparse.Namespace,
    *,
    db_name: str,
    db_url: str,
    admin_url: str,
    var_dir: Path | None = None,
    env: dict | None = None,
) -> None:
    """The parent half of a one-database benchmark (bench/portal.py, reports.py, similar.py,
    sweep.py): export the code to measure, (re)create `db_name` unless --reuse, run `script`
    again with the same arguments as a child in that code with BENCH_APP_ROOT set (the child
    measures), then drop the database and the folders unless --keep."""
    app_root, commit = code_snapshot(opts.live_tree)
    if var_dir is not None:
        if not opts.reuse:
            shutil.rmtree(var_dir, ignore_errors=True)
        (var_dir / "static").mkdir(parents=True, exist_ok=True)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_") and k != "DATABASE_URL"}
    child_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "amends.settings",
            "DATABASE_URL": db_url,
            "AMENDS_LOG_LEVEL": "WARNING",
            "BENCH_APP_ROOT": str(app_root),
            "BENCH_COMMIT": commit,
            **({"AMENDS_VAR_DIR": str(var_dir)} if var_dir is not None else {}),
            **(env or {}),
        }
    )
    try:
        if not opts.reuse:
            log(f"database {db_name}: drop and create; code at {commit}")
            pg_admin(
                admin_url, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)", f"CREATE DATABASE {db_name}"
            )
        subprocess.run([sys.executable, script, *sys.argv[1:]], cwd=app_root, env=child_env, check=True)
    finally:
        if not opts.keep:
            pg_admin(admin_url, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
            if var_dir is not None:
                shutil.rmtree(var_dir, ignore_errors=True)
            log(f"dropped {db_name}" + (f" and {var_dir}" if var_dir is not None else ""))
        if not opts.live_tree:
            shutil.rmtree(app_root, ignore_errors=True)


def bench_database(db: str, opts: argparse.Namespace) -> dict:
    var_dir = Path(tempfile.mkdtemp(prefix=f"amends-bench-{db}-"))
    (var_dir / "static").mkdir()  # STATIC_ROOT; the pages' assets are not part of the bench
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_") and k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "amends.settings",
            "AMENDS_VAR_DIR": str(var_dir),
            "AMENDS_FORM_RATE_LIMIT": FORM_RATE_LIMIT,
            "AMENDS_LOG_LEVEL": "WARNING",
            "BENCH_APP_ROOT": str(opts.app_root),
        }
    )
    result: dict = {"db": db, "var_dir": str(var_dir)}
    if db == "postgres":
        admin_url = opts.pg_url
        pg_admin(
            admin_url, f"DROP DATABASE IF EXISTS {opts.pg_db} WITH (FORCE)", f"CREATE DATABASE {opts.pg_db}"
        )
        env["DATABASE_URL"] = pg_url_for(admin_url, opts.pg_db)
        result["postgres"] = pg_settings(env["DATABASE_URL"])
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    log(f"[{db}] database {env['DATABASE_URL']}")
    proc = None
    try:
        run_child(["manage.py", "migrate", "--no-input", "-v0"], env)
        info_path = var_dir / "info.json"
        log(f"[{db}] generating {opts.cases} cases")
        run_child(
            [
                "bench/generate.py",
                "--cases",
                str(opts.cases),
                "--seed",
                str(opts.seed),
                "--info",
                str(info_path),
            ],
            env,
        )
        info = json.loads(info_path.read_text())
        result["generated"] = {
            k: info[k] for k in ("counts", "seconds", "rows_per_second", "open_cases", "mine_open_cases")
        }
        if db == "sqlite":
            result["sqlite_file_mb"] = round((var_dir / "bench.sqlite3").stat().st_size / 2**20, 1)
        else:
            size = pg_admin(env["DATABASE_URL"], "SELECT pg_database_size(current_database())")[0][0]
            result["postgres_db_mb"] = round(size / 2**20, 1)

        if not opts.skip_inprocess:
            log(f"[{db}] in-process timings (django.test.Client)")
            out = var_dir / "inprocess.json"
            run_child(
                [
                    "bench/inprocess.py",
                    "--info",
                    str(info_path),
                    "--out",
                    str(out),
                    "--requests",
                    str(opts.requests),
                ],
                env,
            )
            result["inprocess"] = json.loads(out.read_text())

        port = free_port(opts.port)
        log(f"[{db}] gunicorn on 127.0.0.1:{port}, {opts.workers} workers × {opts.threads} threads")
        proc = gunicorn_start(env, var_dir, port, opts.workers, opts.threads)
        result["gunicorn"] = {"port": port, "workers": opts.workers, "threads": opts.threads}
        access = AccessLog(var_dir / "access.log")
        meter = CpuMeter(proc.pid, env["DATABASE_URL"] if db == "postgres" else None, opts.pg_db)
        result["http"] = http_pages(port, info, opts, access, meter)
        result["throughput"] = http_throughput(port, info, opts, access, meter)
        result["memory"] = {str(pid): memory_of(pid) for pid in worker_pids(proc.pid)}
        result["memory_master"] = memory_of(proc.pid)
        log(f"[{db}] web workers after the run (MiB): {result['memory']}")
    finally:
        if proc is not None:
            gunicorn_stop(proc)
        if not opts.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
            if db == "postgres":
                pg_admin(opts.pg_url, f"DROP DATABASE IF EXISTS {opts.pg_db} WITH (FORCE)")
        else:
            log(f"[{db}] kept {var_dir} ({env['DATABASE_URL']})")
    return result


def http_pages(port: int, info: dict, opts: argparse.Namespace, access: AccessLog, meter: CpuMeter) -> dict:
    session = http_load.Session("127.0.0.1", port)
    session.login(info["username"], info["password"])
    sample = info["case_sample"]
    # Warm both the code paths and the database caches, as a server that has been up a while.
    for path, _target in QUEUE_PAGES.values():
        http_load.sequential(session, [path] * 5, 30)
    http_load.sequential(session, [case_path(p) for p in sample[-20:]], 30)
    out = {}
    for name in [*QUEUE_PAGES, CASE_PAGE]:
        if name == CASE_PAGE:
            paths = [case_path(sample[i % len(sample)]) for i in range(opts.requests)]
            prefix = "/en/desk/cases/"
        else:
            paths = [QUEUE_PAGES[name][0]] * opts.requests
            prefix = QUEUE_PAGES[name][0]
        access.mark()
        meter.start()
        times, statuses = http_load.sequential(session, paths, opts.time_cap)
        cpu = meter.stop(sum(statuses.values()))
        server = access.since_mark("GET", prefix)
        out[name] = {"client": summary_ms(times), "server": summary_ms(server), "statuses": statuses, **cpu}
        log(
            f"  http {name:<20} server p50 {out[name]['server'].get('p50', 0):7.2f} p95 "
            f"{out[name]['server'].get('p95', 0):7.2f} ms"
            f" | client p95 {out[name]['client'].get('p95', 0):7.2f} ms"
            f" | CPU/request web {cpu['web_cpu_ms_per_request']} db {cpu['db_cpu_ms_per_request']} ms"
            f" | load {cpu['loadavg_1m']} {statuses}"
        )
    session.close()
    return out


def http_throughput(
    port: int, info: dict, opts: argparse.Namespace, access: AccessLog, meter: CpuMeter
) -> dict:
    known = info.get("known_emails", [])
    api_key = info["api_key"]

    def api(rng, _ctx):
        return http_load.api_request(rng, known, api_key)

    def form(rng, token):
        return http_load.form_request(rng, known, token)

    def csrf(session):
        return session.csrf_from("/en/complain/")

    phases = {
        "api_create": (api, None, 201, "POST", "/api/v1/complaints"),
        "form_submit": (form, csrf, 302, "POST", "/"),
    }
    out = {}
    for name, (make, prepare, expect, method, prefix) in phases.items():
        common = {
            "host": "127.0.0.1",
            "port": port,
            "clients": opts.clients,
            "make_request": make,
            "prepare": prepare,
            "expect": expect,
        }
        http_load.concurrent(total=opts.clients * 5, time_cap=30, **common)  # warm-up, not counted
        access.mark()
        meter.start()
        cpu_before = os.times()
        res = http_load.concurrent(total=opts.create_requests, time_cap=opts.time_cap, **common)
        cpu_after = os.times()
        cpu = meter.stop(sum(res.statuses.values()))
        server = access.since_mark(method, prefix)
        client_cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        out[name] = {
            "requests_ok": res.ok,
            "statuses": res.statuses,
            "errors": res.errors[:5],
            "seconds": round(res.seconds, 2),
            "per_second": round(res.ok / res.seconds, 1) if res.seconds else 0,
            "stopped_by_time_cap": res.stopped_by_time_cap,
            "client": summary_ms(res.latencies),
            "server": summary_ms(server),
            "client_cpu_share": round(client_cpu / res.seconds / (os.cpu_count() or 1), 3)
            if res.seconds
            else 0,
            "reconnects": res.reconnects,
            **cpu,
        }
        log(
            f"  {name:<12} {out[name]['per_second']:7.1f}/s  ({res.ok} ok in {res.seconds:.1f} s,"
            f" {res.statuses}) server p50 {out[name]['server'].get('p50', 0):.1f}"
            f" p95 {out[name]['server'].get('p95', 0):.1f} ms"
            f" | CPU/request web {cpu['web_cpu_ms_per_request']} db {cpu['db_cpu_ms_per_request']} ms"
            f" client {out[name]['client_cpu_share']:.0%} of the machine | load {cpu['loadavg_1m']}"
        )
        if res.errors:
            log(f"    errors: {res.errors[:3]}")
    return out


# --- report -------------------------------------------------------------------------------------


def verdicts(result: dict) -> dict:
    http = result.get("http", {})
    queue_p95 = max(
        (http[n]["server"]["p95"] for n, (_p, t) in QUEUE_PAGES.items() if t and n in http), default=None
    )
    case_p95 = http.get(CASE_PAGE, {}).get("server", {}).get("p95")
    thr = result.get("throughput", {})
    rss = max((m.get("VmRSS", 0) for m in result.get("memory", {}).values()), default=None)
    values = {
        "queue_p95_ms": queue_p95,
        "case_p95_ms": case_p95,
        "api_create_per_s": thr.get("api_create", {}).get("per_second"),
        "form_submit_per_s": thr.get("form_submit", {}).get("per_second"),
        "worker_rss_mb": rss,
    }
    out = {}
    for key, value in values.items():
        target = TARGETS[key]
        if value is None:
            out[key] = {"value": None, "target": target, "ok": None}
            continue
        ok = value <= target if key.endswith(("_ms", "_mb")) else value >= target
        out[key] = {"value": value, "target": target, "ok": ok}
    return out


def print_table(results: dict) -> None:
    dbs = list(results)

    def cell(v) -> str:
        return "—" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)

    def pair(d: dict) -> str:
        return f"{cell(d.get('p50'))}/{cell(d.get('p95'))}"

    columns = ("server p50/p95", "client p50/p95", "in-proc p50/p95", "CPU web+db")
    print()
    print("Page timings in ms; server = gunicorn access log, client = loopback client, in-proc = test Client")
    for db in dbs:
        print(f"\n{db:<22}" + "".join(f"{c:>18}" for c in columns))
        r = results[db]
        for name in [*QUEUE_PAGES, CASE_PAGE]:
            http = r.get("http", {}).get(name, {})
            ip = r.get("inprocess", {}).get(name, {}).get("latency_ms", {})
            cpu = f"{cell(http.get('web_cpu_ms_per_request'))}+{cell(http.get('db_cpu_ms_per_request'))}"
            cells = (pair(http.get("server", {})), pair(http.get("client", {})), pair(ip), cpu)
            print(f"{name:<22}" + "".join(f"{c:>18}" for c in cells))
    print()
    print(f"{'target':<22}{'goal':>10}" + "".join(f"{db:>16}" for db in dbs))
    for key, goal in TARGETS.items():
        sign = "≤" if key.endswith(("_ms", "_mb")) else "≥"
        row = f"{key:<22}{sign + ' ' + str(goal):>10}"
        for db in dbs:
            v = results[db]["verdicts"][key]
            mark = "" if v["ok"] is None else (" ok" if v["ok"] else " MISS")
            row += f"{cell(v['value']) + mark:>16}"
        print(row)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description="Amends benchmark (docs/performance.md)")
    parser.add_argument("--cases", type=int, default=100_000, help="cases to generate (default 100000)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--requests", type=int, default=200, help="timed requests per page kind (default 200)"
    )
    parser.add_argument(
        "--create-requests", type=int, default=3000, help="cases created per throughput phase"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the throughput phases")
    parser.add_argument("--time-cap", type=float, default=90, help="seconds at most per measured phase")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (Procfile: 2)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (Procfile: 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL database to connect to for CREATE/DROP DATABASE",
    )
    parser.add_argument("--pg-db", default="amends_bench", help="the bench database (dropped and created)")
    parser.add_argument("--skip-inprocess", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases for a look afterwards")
    parser.add_argument("--label", default="", help="a word for the results file name")
    parser.add_argument(
        "--live-tree", action="store_true", help="measure the working tree, not a snapshot of HEAD"
    )
    opts = parser.parse_args()
    opts.app_root, commit = code_snapshot(opts.live_tree)

    started = datetime.now(UTC)
    report = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
        "git_commit": commit,
        "machine": machine_info(),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
        "form_rate_limit": f"AMENDS_FORM_RATE_LIMIT={FORM_RATE_LIMIT} for the run",
        "targets": TARGETS,
        "results": {},
    }
    log(f"machine: {report['machine']}")
    for db in ["sqlite", "postgres"] if opts.db == "both" else [opts.db]:
        result = bench_database(db, opts)
        result["verdicts"] = verdicts(result)
        report["results"][db] = result
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    if not opts.live_tree:
        shutil.rmtree(opts.app_root, ignore_errors=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    name = f"{stamp}-{opts.db}-{opts.cases}{'-' + opts.label if opts.label else ''}.json"
    (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_table(report["results"])
    print(f"results: {RESULTS_DIR / name}")


if __name__ == "__main__":
    main()
