"""Settings: a signed-in customer chooses the language and channel of their notifications."""

import re

import pytest
from django.test import Client

from amends.customers.models import Customer
from amends.notify.models import Notification
from amends.portal.services import portal_case_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(mailoutbox):
    def sign_in(client: Client, email: str = "mary@example.com", lang: str = "en") -> Client:
        client.post(f"/{lang}/portal/", {"email": email})
        code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
        client.post(f"/{lang}/portal/code/", {"email": email, "code": code})
        return client

    return sign_in


def test_the_customer_chooses_language_and_channel(client, case, signed_in):
    # given
    signed_in(client)
    page = client.get("/en/portal/settings/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "עברית" in html and "Русский" in html  # each language in its own name
    assert 'value="email"' in html
    # when
    saved = client.post("/en/portal/settings/", {"language": "ru", "channel": "email"})
    # then: stored, and the page comes back in the language just chosen
    assert saved.status_code == 302 and saved["Location"] == "/ru/portal/settings/"
    customer = Customer.objects.get(pk=case.customer_id)
    assert (customer.language, customer.preferred_channel) == ("ru", "email")
    assert 'id="nav-settings"' in client.get("/ru/portal/cases/").content.decode()


def test_mail_about_no_case_follows_the_chosen_language_mail_about_a_case_its_case(
    client, case, signed_in, mailoutbox
):
    """The rule: a case's mail speaks the case's language; the sign-in mail, the customer's."""
    # given Mary (an English case) chose Hebrew
    signed_in(client)
    client.post("/en/portal/settings/", {"language": "he", "channel": "email"})
    # when she asks for a sign-in link from an English page
    Client().post("/en/portal/", {"email": "mary@example.com"})
    # then it comes in Hebrew, its link too
    signin = Notification.objects.filter(event="signin").latest("pk")
    assert signin.language == "he"
    assert "/he/portal/sign-in/" in mailoutbox[-1].body
    # and mail about her English case stays English
    from amends.notify.services import customer_notify

    case.customer.refresh_from_db()
    later = customer_notify(case=case, event="reply", context={"body": "On it.", "author_name": "Dana"})
    assert later.language == "en" and "/en/portal/case/" in later.body


def test_an_unknown_language_or_channel_is_refused(client, case, signed_in):
    signed_in(client)
    answer = client.post("/en/portal/settings/", {"language": "fr", "channel": "pigeon"})
    assert answer.status_code == 400
    customer = Customer.objects.get(pk=case.customer_id)
    assert (customer.language, customer.preferred_channel) == ("en", "email")


def test_settings_need_a_full_sign_in(client, case):
    # not signed in: the sign-in page
    assert client.get("/en/portal/settings/")["Location"] == "/en/portal/"
    # a case-bound link opens one case, not the account
    client.get("/" + portal_case_link(case).split("/", 3)[3])
    assert client.get("/en/portal/settings/")["Location"] == "/en/portal/"
    assert client.post("/en/portal/settings/", {"language": "ru", "channel": "email"}).status_code == 302
    assert Customer.objects.get(pk=case.customer_id).language == "en"


def test_settings_need_a_csrf_token(client, case, signed_in):
    signed_in(client)
    client.handler.enforce_csrf_checks = True
    assert client.post("/en/portal/settings/", {"language": "ru", "channel": "email"}).status_code == 403
