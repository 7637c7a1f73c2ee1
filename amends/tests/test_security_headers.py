"""Security headers on every kind of response, and templates with no inline code for the
Content-Security-Policy to forbid (issue 5 point 7; docs/decisions/0009)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import path

from amends.cases.models import Attachment
from amends.core.middleware import DOWNLOAD_CSP
from amends.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db

SITE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


# Views only this module's URLconf serves (`@pytest.mark.urls(__name__)`).
def _boom(request):
    raise RuntimeError("a bug in a view")


def _export_without_policy(request):
    """Like the admin's .eml download: a file response whose view sets no policy itself."""
    response = HttpResponse(b"<html><script>alert(1)</script></html>", content_type="text/html")
    response["Content-Disposition"] = 'attachment; filename="mail.eml"'
    return response


urlpatterns = [
    path("test-boom/", _boom),
    path("test-export/", _export_without_policy),
    *site_urlpatterns,
]


def assert_site_headers(response) -> None:
    assert response["Content-Security-Policy"] == SITE_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain http, as under `make run`


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
HTMX_EVAL = re.compile(r"\shx-(on\b|on:|vars=)|hx-vals=[\"']\s*(js|javascript):", re.I)


def inline_code(html: str) -> list[str]:
    """What the site policy would block in a page: inline scripts (a JSON data block is not
    code), handler attributes, javascript: URLs, inline styles, htmx expressions (eval)."""
    found = [m.group(0) for m in INLINE_SCRIPT.finditer(html) if "application/json" not in m.group(0)]
    for pattern in (HANDLER, JS_URL, STYLE_ATTR, STYLE_ELEMENT, HTMX_EVAL):
        found += [m.group(0) for m in pattern.finditer(html)]
    return found


def test_portal_page_has_every_header(client):
    """The public complaint form carries the site policy and the other headers, and its HTML
    has nothing inline that the policy would block."""
    # when
    response = client.get("/he/complain/")

    # then
    assert response.status_code == 200
    assert_site_headers(response)
    assert inline_code(response.content.decode()) == []


def test_desk_pages_have_every_header(client, agent, case):
    """The agent's queue and case page (the richest page, with HTMX) likewise."""
    # given
    client.force_login(agent)

    # when
    queue = client.get("/en/desk/")
    case_page = client.get(f"/en/desk/cases/{case.public_id}/")
    partial = client.get(f"/en/desk/cases/{case.public_id}/", headers={"HX-Request": "true"})

    # then
    for response in (queue, case_page, partial):
        assert response.status_code == 200
        assert_site_headers(response)
        assert inline_code(response.content.decode()) == []


def test_api_responses_have_every_header(client, api_client):
    """JSON answers, refused or not, are framed by nobody and never sniffed."""
    for response in (
        client.get("/api/v1/cases"),
        api_client.get("/api/v1/cases"),
        client.get("/api/openapi.json"),
    ):
        assert response.status_code in {200, 401}
        assert_site_headers(response)


def test_api_docs_run_under_the_site_policy(client):
    """Swagger UI needs no wider policy: django-ninja's page keeps its settings in a JSON data
    block and starts from swagger-ui-init.js, all served from our static files."""
    # when
    response = client.get("/api/docs")

    # then
    assert response.status_code == 200
    assert_site_headers(response)
    assert inline_code(response.content.decode()) == []
    assets = re.findall(r'(?:src|href)="([^"]*)"', response.content.decode())
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets


def test_not_found_page_has_every_header(client):
    # when
    response = client.get("/en/no-such-page/")

    # then
    assert response.status_code == 404
    assert_site_headers(response)


@pytest.mark.urls(__name__)
def test_server_error_page_has_every_header(client):
    """The 500 page is rendered by Django's handler outside the view, still inside the
    middleware that adds the headers."""
    # given
    client.raise_request_exception = False

    # when
    response = client.get("/test-boom/")

    # then
    assert response.status_code == 500
    assert_site_headers(response)


def test_attachment_download_keeps_its_sandbox(client, agent, make_case):
    """A customer's file that is really a web page downloads as bytes, under a sandbox policy
    that the site policy does not replace: it cannot run anything in our origin."""
    # given
    page = SimpleUploadedFile("note.txt", b"<html><script>alert(document.cookie)</script></html>")
    case = make_case(attachments=[page])
    attachment = Attachment.objects.get(message__case=case)
    client.force_login(agent)

    # when
    response = client.get(f"/en/desk/attachments/{attachment.public_id}/")

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_CSP == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.urls(__name__)
def test_file_response_without_its_own_policy_is_sandboxed(client):
    """A view that sends a file and forgets the sandbox (the admin's raw-mail download) gets it
    from DownloadSandboxMiddleware, not the site policy."""
    # when
    response = client.get("/test-export/")

    # then
    assert response["Content-Security-Policy"] == DOWNLOAD_CSP
    assert response["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_on_secure_requests(client, settings):
    """With HSTS configured, plain-http requests still never get it; HTTPS ones do."""
    # given
    settings.SECURE_HSTS_SECONDS = 31536000

    # when
    plain = client.get("/en/complain/")
    secure = client.get("/en/complain/", secure=True)

    # then
    assert "Strict-Transport-Security" not in plain
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def _settings_under(env: dict[str, str]) -> dict[str, object]:
    """The security settings a fresh process computes from this environment."""
    code = (
        "import json, amends.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', "
        "'SECURE_CSP', 'SECURE_CSP_REPORT_ONLY']}, default=str))"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("AMENDS_HSTS", "AMENDS_HTTPS", "AMENDS_CSP"))
    }
    clean.pop("AMENDS_SECURE_COOKIES", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_switch_turns_on_hsts_and_secure_cookies():
    """`make run` (no switch) sends no HSTS; AMENDS_HTTPS=1 sends a year of it by default;
    AMENDS_CSP_REPORT_ONLY moves the same policy to the report-only header."""
    local = _settings_under({})
    assert local["SECURE_HSTS_SECONDS"] is None  # Django's default, 0
    assert local["SESSION_COOKIE_SECURE"] is False

    tls = _settings_under({"AMENDS_HTTPS": "1"})
    assert tls["SECURE_HSTS_SECONDS"] == 31536000
    assert tls["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert tls["SESSION_COOKIE_SECURE"] is True

    tuned = _settings_under(
        {"AMENDS_HTTPS": "1", "AMENDS_HSTS_SECONDS": "300", "AMENDS_HSTS_INCLUDE_SUBDOMAINS": "1"}
    )
    assert tuned["SECURE_HSTS_SECONDS"] == 300
    assert tuned["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True

    trial = _settings_under({"AMENDS_CSP_REPORT_ONLY": "1"})
    assert trial["SECURE_CSP"] is None
    assert trial["SECURE_CSP_REPORT_ONLY"] == local["SECURE_CSP"]


def _template_files() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [Path(app.path) / "templates" for app in apps.get_app_configs() if app.name.startswith("amends.")]
    return sorted(f for d in dirs if d.is_dir() for f in d.rglob("*.html"))


def test_no_template_has_inline_code():
    """Every template of ours, including ones no test renders, is free of inline scripts,
    handlers, javascript: URLs and inline styles. Email templates are not served under the
    policy, and mail clients need inline styles, so only scripts are banned there."""
    # given
    files = _template_files()
    assert any(f.name == "base.html" for f in files)

    # when
    found = {}
    for file in files:
        html = file.read_text(encoding="utf-8")
        problems = inline_code(html)
        if "/email/" in file.as_posix():
            problems = [p for p in problems if not (STYLE_ATTR.match(p) or STYLE_ELEMENT.match(p))]
        if problems:
            found[str(file.relative_to(settings.BASE_DIR))] = problems

    # then
    assert found == {}


def test_the_check_finds_what_it_looks_for():
    """The template check is not vacuous: each kind of inline code is caught."""
    for html in (
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<div style="color: red">',
        "<style>p {}</style>",
        '<div hx-on:click="go()">',
        '<div hx-vals="js:{a: 1}">',
    ):
        assert inline_code(html), html
    assert (
        inline_code('<script src="/static/a.js" defer></script><script type="application/json">{}</script>')
        == []
    )
