import uuid

import pytest

from amends.cases.models import Case
from amends.cases.services import lifecycle

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "body": "Заказ пришёл разбитым.",
    "full_name": "Анна",
    "email": "anna@example.com",
    "language": "ru",
    "desired_outcome": "replacement",
}


def test_create_complaint_returns_reference_and_acknowledges(api_client, mailoutbox):
    response = api_client.post("/api/v1/complaints", COMPLAINT, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(public_id=data["id"])
    assert data["reference"] == case.reference and data["status"] == "new" and data["channel"] == "api"
    assert case.messages.get().body == COMPLAINT["body"]
    assert mailoutbox[0].to == ["anna@example.com"]


def test_idempotency_key_makes_retries_safe(api_client):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-42-attempt"}
    first = api_client.post("/api/v1/complaints", COMPLAINT, content_type="application/json", **headers)
    second = api_client.post("/api/v1/complaints", COMPLAINT, content_type="application/json", **headers)
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"full_name": "x", "email": "a@example.com"}, "body"),
        ({"body": "x", "email": "not-an-email"}, "email"),
        ({"body": "x", "email": "a@example.com", "language": "fr"}, "language"),
        ({"body": "x"}, None),
    ],
)
def test_malformed_bodies_get_field_errors(api_client, payload, field):
    response = api_client.post("/api/v1/complaints", payload, content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    if field:
        assert any(field in err["loc"] for err in detail)
    assert Case.objects.count() == 0


def test_not_json_is_a_4xx(api_client):
    response = api_client.post("/api/v1/complaints", "{oops", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_auth_is_required(client):
    assert client.post("/api/v1/complaints", COMPLAINT, content_type="application/json").status_code == 401
    assert client.get("/api/v1/cases").status_code == 401
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer amd_wrong"
    assert client.get("/api/v1/cases").status_code == 401


def test_read_case_and_public_messages_only(api_client, case, agent):
    lifecycle.case_note(case=case, actor=agent, body="internal: customer is a journalist")
    lifecycle.case_reply(case=case, actor=agent, body="We have refunded you.")
    detail = api_client.get(f"/api/v1/cases/{case.public_id}")
    assert detail.status_code == 200
    assert detail.json()["owner"] == "Dana Levi"
    messages = api_client.get(f"/api/v1/cases/{case.public_id}/messages").json()
    assert [m["kind"] for m in messages] == ["inbound", "outbound"]
    assert all("journalist" not in m["body"] for m in messages)


def test_unknown_ids_are_404(api_client):
    assert api_client.get(f"/api/v1/cases/{uuid.uuid4()}").status_code == 404
    assert api_client.get(f"/api/v1/cases/{uuid.uuid4()}/messages").status_code == 404
    assert api_client.get("/api/v1/cases/not-a-uuid").status_code in (404, 422)


def test_list_filters_and_cursor_pagination(api_client, make_case):
    made = [make_case(email=f"c{i}@example.com", language="he" if i % 2 else "en") for i in range(7)]
    seen = []
    cursor = ""
    while True:
        page = api_client.get("/api/v1/cases", {"limit": 3, "cursor": cursor}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7
    assert seen == [str(c.public_id) for c in sorted(made, key=lambda c: (c.created_at, c.pk), reverse=True)]
    hebrew = api_client.get("/api/v1/cases", {"language": "he"}).json()["items"]
    assert len(hebrew) == 3 and all(item["language"] == "he" for item in hebrew)
    assert api_client.get("/api/v1/cases", {"cursor": "!!bad"}).status_code == 400


def test_openapi_docs_are_served(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/complaints" in schema["paths"]


def test_long_idempotency_keys_that_share_a_prefix_are_different(api_client):
    prefix = "x" * 80
    first = api_client.post(
        "/api/v1/complaints", COMPLAINT, content_type="application/json", HTTP_IDEMPOTENCY_KEY=prefix + "1"
    )
    second = api_client.post(
        "/api/v1/complaints", COMPLAINT, content_type="application/json", HTTP_IDEMPOTENCY_KEY=prefix + "2"
    )
    assert first.json()["id"] != second.json()["id"]


def test_api_docs_use_local_assets(client):
    html = client.get("/api/docs").content.decode()
    assert "cdn.jsdelivr" not in html and "/static/ninja/" in html
