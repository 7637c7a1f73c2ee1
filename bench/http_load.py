"""HTTP clients for the bench, standard library only: keep-alive connections on loopback,
cookies, CSRF, and bounded loops (a fixed request count and a time cap)."""

import http.client
import json
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench import texts

_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One keep-alive connection with its cookies, like one browser tab."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """Send one request; returns (status, headers, body bytes, seconds)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open a new one, once.
                self.conn.close()
                self.conn = None
                self.reconnects += 1
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for raw in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, response.msg, data, elapsed
        raise AssertionError("unreachable")

    def csrf_from(self, path: str) -> str:
        status, _h, data, _t = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        match = _CSRF_RE.search(data.decode())
        return match.group(1) if match else self.cookies["csrftoken"]

    def login(self, username: str, password: str) -> None:
        token = self.csrf_from("/en/desk/login/")
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
        status, _h, _d, _t = self.request(
            "POST",
            "/en/desk/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed: {status}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def wait_until_up(host: str, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/en/complain/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {host}:{port} within {seconds} s")


def sequential(session: Session, paths: list[str], time_cap: float) -> tuple[list[float], dict[int, int]]:
    """GET each path in turn on one connection; stop early at the time cap."""
    times, statuses = [], {}
    deadline = time.monotonic() + time_cap
    for path in paths:
        status, _h, _d, elapsed = session.request("GET", path)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            times.append(elapsed)
        if time.monotonic() > deadline:
            break
    return times, statuses


# --- case creation ---------------------------------------------------------------------------

LANGUAGES = ("he", "ar", "ru", "en")


def complaint_fields(rng: random.Random, known_emails: list[str]) -> dict:
    """A realistic complaint; one in five from a customer who complained before."""
    lang = rng.choice(LANGUAGES)
    subject, body = rng.choice(texts.COMPLAINTS[lang])
    first, _fl = rng.choice(texts.FIRST_NAMES[lang])
    last, _ll = rng.choice(texts.LAST_NAMES[lang])
    if known_emails and rng.random() < 0.2:
        email = rng.choice(known_emails)
    else:
        email = f"bench.{uuid.uuid4().hex[:12]}@example.com"
    return {
        "language": lang,
        "subject": subject,
        "body": f"{body} {rng.choice(texts.DETAILS[lang])}",
        "full_name": f"{first} {last}",
        "email": email,
        "phone": f"{texts.PHONE_PREFIXES[lang]}{rng.randint(0, 9_999_999):07d}" if rng.random() < 0.3 else "",
        "order_number": f"A-{rng.randint(1000, 99999)}" if rng.random() < 0.5 else "",
        "desired_outcome": rng.choice(["refund", "replacement", "repair", "apology", "credit"]),
    }


def api_request(rng: random.Random, known_emails: list[str], api_key: str):
    fields = complaint_fields(rng, known_emails)
    body = json.dumps(fields, ensure_ascii=False).encode()
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    return "POST", "/api/v1/complaints", body, headers


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """What a browser sends for the form: multipart, with the empty file input included."""
    boundary = "----benchboundary" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def form_request(rng: random.Random, known_emails: list[str], csrf_token: str):
    fields = complaint_fields(rng, known_emails)
    lang = fields["language"]
    body, content_type = _multipart(
        {
            "csrfmiddlewaretoken": csrf_token,
            "full_name": fields["full_name"],
            "email": fields["email"],
            "phone": fields["phone"],
            "order_number": fields["order_number"],
            "body": fields["body"],
            "desired_outcome": fields["desired_outcome"],
            "desired_outcome_detail": "",
            "submission_token": uuid.uuid4().hex,  # the form's hidden field, one per submission
            "website": "",
        }
    )
    return "POST", f"/{lang}/complain/", body, {"Content-Type": content_type}


@dataclass
class LoadResult:
    ok: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by_time_cap: bool = False
    reconnects: int = 0


def concurrent(
    *,
    host: str,
    port: int,
    clients: int,
    total: int,
    time_cap: float,
    expect: int,
    make_request,
    prepare=None,
    seed: int = 7,
) -> LoadResult:
    """`clients` threads, each on its own keep-alive connection, send `total` requests in all
    (or stop at `time_cap` seconds). `prepare(session)` runs first, untimed (CSRF token)."""
    result = LoadResult()
    lock = threading.Lock()
    issued = 0
    sessions = [Session(host, port) for _ in range(clients)]
    contexts = [prepare(s) if prepare else None for s in sessions]
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        nonlocal issued
        rng = random.Random(seed * 1000 + index)
        session = sessions[index]
        barrier.wait()
        while True:
            with lock:
                if issued >= total or time.monotonic() > deadline[0]:
                    return
                issued += 1
            method, path, body, headers = make_request(rng, contexts[index])
            try:
                status, _h, data, elapsed = session.request(method, path, body, headers)
            except OSError as exc:
                with lock:
                    result.errors.append(repr(exc))
                continue
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status == expect:
                    result.ok += 1
                    result.latencies.append(elapsed)
                elif len(result.errors) < 5:
                    result.errors.append(f"{status}: {data[:300]!r}")

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + time_cap
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join(time_cap + 120)
    result.seconds = time.perf_counter() - started
    result.stopped_by_time_cap = issued < total
    result.reconnects = sum(s.reconnects for s in sessions)
    for s in sessions:
        s.close()
    return result
