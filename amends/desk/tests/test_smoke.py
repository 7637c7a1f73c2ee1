import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render(client, agent, case):
    client.force_login(agent)
    for url in [reverse("desk:queue") + "?queue=open", reverse("desk:case", args=[case.public_id])]:
        assert client.get(url).status_code == 200
    assert client.get("/he/complain/").status_code == 200
