"""Signing in to the portal without a password: the emailed link and code, case-bound links,
rate limits, expiry and signing out."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client

from amends.core import clock
from amends.notify.models import Notification, NotificationStatus
from amends.portal.models import SignInToken
from amends.portal.services import portal_access_revoke, portal_case_link

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/[a-z]{2}/portal/sign-in/[^/\s]+/)")
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a sign-in mail as the customer would; the mail goes when the request commits."""

    def post(email: str, *, lang: str = "en", on=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (on or client).post(f"/{lang}/portal/", {"email": email})

    return post


def _signins(outbox) -> list:
    """The sign-in mails among everything sent (the case fixtures' acknowledgements too)."""
    return [m for m in outbox if "/portal/sign-in/" in m.body]


def _link_and_code(mail) -> tuple[str, str]:
    return LINK.search(mail.body).group(1), CODE.search(mail.body).group(1)


def test_known_and_unknown_addresses_get_the_same_answer(ask, case, mailoutbox):
    """No one can learn from the page whether an address is a customer's: same status, same
    next page; only the known address gets a mail."""
    # given: mary@example.com has a case; nobody@example.com does not
    # when
    known = ask("Mary@Example.com")
    unknown = ask("nobody@example.com")
    # then
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/en/portal/code/"
    assert [m.to for m in _signins(mailoutbox)] == [["mary@example.com"]]


def test_the_check_your_email_page_reads_the_same_for_both(ask, case):
    pages = []
    for email in ("mary@example.com", "nobody@example.com"):
        client = Client()
        ask(email, on=client)
        html = client.get("/en/portal/code/").content.decode()
        pages.append(re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html))
    assert pages[0] == pages[1]


def test_the_mail_has_a_link_and_a_code_in_the_customers_language_and_only_hashes_are_stored(
    ask, hebrew_case, mailoutbox
):
    # when
    ask("noa@example.com", lang="he")
    # then
    mail = _signins(mailoutbox)[0]
    path, code = _link_and_code(mail)
    assert path.startswith("/he/portal/sign-in/")
    assert "נועה כהן" in mail.body
    html = mail.alternatives[0].content
    assert 'dir="rtl"' in html and code in html
    token = path.rstrip("/").rsplit("/", 1)[1]
    row = SignInToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.code_hash) and code not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=30)


def test_opening_the_link_does_not_sign_in_the_button_does_and_only_once(client, ask, case, mailoutbox):
    """Mail scanners open links: GET only shows the button. The link works once."""
    ask("mary@example.com")
    path, _code = _link_and_code(_signins(mailoutbox)[0])
    # when: a scanner (or the customer) opens it
    page = client.get(path)
    # then: nothing is used yet
    assert page.status_code == 200
    assert client.get("/en/portal/cases/").status_code == 302
    # when: the customer presses the button
    signed_in = client.post(path)
    # then
    assert signed_in["Location"] == "/en/portal/cases/"
    assert case.reference in client.get("/en/portal/cases/").content.decode()
    # and the link is used up, also for anyone else
    again = Client().post(path)
    assert again.status_code == 410
    assert Client().get(path).status_code == 410


def test_signing_in_gives_a_new_session_key(client, ask, case, mailoutbox):
    ask("mary@example.com")
    before = client.cookies["sessionid"].value
    client.post(_link_and_code(_signins(mailoutbox)[0])[0])
    assert client.cookies["sessionid"].value != before


def test_the_code_signs_in_when_the_link_is_mangled(client, ask, case, mailoutbox):
    ask("mary@example.com", lang="ar")
    _path, code = _link_and_code(_signins(mailoutbox)[0])
    # when: typed with spaces, in Arabic-Indic digits
    arabic = " ".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    response = client.post("/ar/portal/code/", {"email": "mary@example.com", "code": arabic})
    # then
    assert response["Location"] == "/ar/portal/cases/"
    # and the link of the same mail is used up with it
    assert client.post(_link_and_code(_signins(mailoutbox)[0])[0]).status_code == 410


def test_wrong_codes_end_the_sign_in_after_five(client, ask, case, mailoutbox):
    ask("mary@example.com")
    _path, code = _link_and_code(_signins(mailoutbox)[0])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post("/en/portal/code/", {"email": "mary@example.com", "code": wrong})
        assert response.status_code == 400
    # when: the right code comes after five wrong ones
    response = client.post("/en/portal/code/", {"email": "mary@example.com", "code": code})
    # then
    assert response.status_code == 400
    assert "does not match" in response.content.decode()


def test_an_unknown_address_with_a_code_gets_the_same_refusal(client, case):
    response = client.post("/en/portal/code/", {"email": "nobody@example.com", "code": "123456"})
    assert response.status_code == 400
    assert "does not match" in response.content.decode()


def test_links_expire(client, ask, case, mailoutbox):
    clock.freeze(clock.now())
    ask("mary@example.com")
    path, code = _link_and_code(_signins(mailoutbox)[0])
    # when: 31 minutes later
    clock.freeze(clock.now() + timedelta(minutes=31))
    # then
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert client.post("/en/portal/code/", {"email": "mary@example.com", "code": code}).status_code == 400


def test_requests_are_limited_per_address_whether_known_or_not(ask, case, settings, mailoutbox):
    settings.AMENDS_PORTAL_SIGNIN_ADDRESS_LIMIT = 3
    for email in ("mary@example.com", "nobody@example.com"):
        answers = [ask(email, on=Client(REMOTE_ADDR=f"10.0.0.{n}")).status_code for n in range(4)]
        assert answers == [302, 302, 302, 429]
    assert len(_signins(mailoutbox)) == 3


def test_requests_are_limited_per_client(ask, case, settings):
    settings.AMENDS_PORTAL_SIGNIN_CLIENT_LIMIT = 3
    client = Client(REMOTE_ADDR="10.0.0.9")
    answers = [ask(f"someone{n}@example.com", on=client).status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert ask("mary@example.com", on=Client(REMOTE_ADDR="10.0.0.10")).status_code == 302


def test_signing_out_ends_the_session_and_every_link_sent_before(client, ask, case, mailoutbox):
    """Signing out on a shared computer must leave nothing usable in its history."""
    clock.freeze(clock.now())
    case_link = portal_case_link(case).split("://", 1)[1].split("/", 1)[1]
    ask("mary@example.com")
    first_path, _ = _link_and_code(_signins(mailoutbox)[0])
    ask("mary@example.com")
    client.post(_link_and_code(_signins(mailoutbox)[1])[0])
    elsewhere = Client()
    elsewhere.get("/" + case_link)
    assert elsewhere.get(f"/en/portal/cases/{case.public_id}/").status_code == 200
    clock.freeze(clock.now() + timedelta(seconds=1))
    # when
    response = client.post("/en/portal/sign-out/")
    # then
    assert response["Location"] == "/en/portal/?signed_out=1"
    assert client.get("/en/portal/cases/").status_code == 302
    assert elsewhere.get(f"/en/portal/cases/{case.public_id}/").status_code == 302  # every device
    assert Client().get("/" + case_link).status_code == 410
    assert Client().post(first_path).status_code == 410
    assert not SignInToken.objects.filter(used_at__isnull=True).exists()


def test_signing_out_needs_a_post_with_a_csrf_token(case):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/en/portal/sign-out/").status_code == 405
    assert client.post("/en/portal/sign-out/").status_code == 403
    assert client.post("/en/portal/", {"email": "mary@example.com"}).status_code == 403


def test_a_case_link_opens_only_its_case(client, make_case):
    # given: one customer with two cases
    first = make_case()
    second = make_case(body="And the refund never came.")
    # when
    response = client.get("/" + portal_case_link(first).split("/", 3)[3])
    # then
    assert response["Location"] == f"/en/portal/cases/{first.public_id}/"
    assert client.get(f"/en/portal/cases/{first.public_id}/").status_code == 200
    assert client.get(f"/en/portal/cases/{second.public_id}/").status_code == 404
    listing = client.get("/en/portal/cases/").content.decode()
    assert first.reference in listing and second.reference not in listing


def test_a_case_link_is_in_the_case_language_and_expires(client, hebrew_case, settings):
    clock.freeze(clock.now())
    link = portal_case_link(hebrew_case)
    assert link.startswith(settings.SITE_URL + "/he/portal/case/")
    path = "/" + link.split("/", 3)[3]
    clock.freeze(clock.now() + timedelta(days=91))
    assert client.get(path).status_code == 410


def test_a_tampered_case_link_opens_nothing(client, case, make_case):
    path = "/" + portal_case_link(case).split("/", 3)[3]
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(path.replace(token, token[:-2] + "xx")).status_code == 410
    assert client.get("/en/portal/case/not-a-token/").status_code == 410


def test_erasing_the_customer_ends_links_and_sessions(client, case):
    clock.freeze(clock.now())
    path = "/" + portal_case_link(case).split("/", 3)[3]
    client.get(path)
    clock.freeze(clock.now() + timedelta(seconds=1))
    # when: the erasure calls the revocation
    portal_access_revoke(customer_id=case.customer_id)
    # then
    assert client.get(f"/en/portal/cases/{case.public_id}/").status_code == 302
    assert Client().get(path).status_code == 410


def test_a_portal_session_ends_after_the_configured_hours(client, ask, case, mailoutbox):
    clock.freeze(clock.now())
    ask("mary@example.com")
    client.post(_link_and_code(_signins(mailoutbox)[0])[0])
    clock.freeze(clock.now() + timedelta(hours=13))
    assert client.get("/en/portal/cases/").status_code == 302


def test_the_customer_session_is_not_a_staff_sign_in(client, ask, case, mailoutbox):
    ask("mary@example.com")
    client.post(_link_and_code(_signins(mailoutbox)[0])[0])
    assert client.get("/en/desk/").status_code == 302


def test_the_sign_in_mail_is_a_notification_sent_by_the_drain_and_blanked_after(ask, case, mailoutbox):
    """The sign-in mail is queued through notify like every notification (no case, an
    auto-generated mail), sent by the send drain, and its live link and code do not stay in
    the table once it is sent."""
    # when
    ask("mary@example.com")
    # then: one mail went out, built from the row
    mail = _signins(mailoutbox)[0]
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert mail.extra_headers["Content-Language"] == "en"
    row = Notification.objects.get(event="signin")
    assert row.case_id is None and row.recipient_id is None
    assert row.to_address == "mary@example.com" and row.status == NotificationStatus.SENT
    assert mail.extra_headers["Message-ID"] == row.message_id
    # and its text is gone from the database
    assert (row.body, row.body_html) == ("", "")
    _path, code = _link_and_code(mail)
    assert not Notification.objects.filter(body__contains=code).exists()


def test_an_unknown_address_queues_no_mail(ask, case):
    # when
    ask("nobody@example.com")
    # then
    assert not Notification.objects.filter(event="signin").exists()


def test_a_sign_in_mail_waits_out_a_mail_server_outage_with_its_text(ask, case, monkeypatch):
    """A temporary failure puts the row back in the queue, text kept for the next attempt; the
    page still answers as for any address."""

    def down(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    # when
    answer = ask("mary@example.com")
    # then
    assert answer.status_code == 302 and answer["Location"] == "/en/portal/code/"
    row = Notification.objects.get(event="signin")
    assert row.status == NotificationStatus.QUEUED and "/portal/sign-in/" in row.body
    assert "smtp down" in row.error
