"""The customer's opt-out from mail about service interruptions, on the portal's Settings."""

import pytest
from django.urls import reverse

from amends.core import clock
from amends.portal.session import SESSION_KEY

pytestmark = pytest.mark.django_db


def _signed_in(client, case):
    session = client.session
    session[SESSION_KEY] = {
        "customer": case.customer_id,
        "since": int(clock.now().timestamp() * 1000),
        "cases": None,
    }
    session.save()


def test_the_settings_page_offers_the_choice_ticked_by_default(client, case):
    _signed_in(client, case)
    page = client.get(reverse("portal:preferences")).content.decode()
    assert (
        'name="notify_incidents"' in page
        and "checked" in page.split('name="notify_incidents"')[1].split(">")[0]
    )


def test_a_customer_opts_out_and_back_in(client, case):
    # given a signed-in customer
    _signed_in(client, case)
    url = reverse("portal:preferences")
    # when they save the settings without the box ticked
    response = client.post(url, {"language": "en", "channel": "email"})
    # then they no longer hear about interruptions
    assert response.status_code == 302
    case.customer.refresh_from_db()
    assert case.customer.notify_incidents is False
    # and ticking it again turns it back on
    client.post(url, {"language": "en", "channel": "email", "notify_incidents": "on"})
    case.customer.refresh_from_db()
    assert case.customer.notify_incidents is True
