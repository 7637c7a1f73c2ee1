"""The permission matrix (issue 5, R-PR-1): every URL of the project, asked by every kind of
visitor, answers what this table says. A URL without a row fails the suite, so a new endpoint
cannot ship without someone deciding who may reach it.

The fixtures: customer A's case came in by email with a file and sits in team X (owned by a
third agent, so the agent in team X sees it through the team, not as its owner); customer B
has a case of their own. URL parameters are filled with A's case, message and file, so
customer B and the agent outside team X must get 404 ("not found", never "forbidden": the id
must not be confirmed to exist).
"""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from amends.accounts.models import Role
from amends.accounts.services import api_token_create, team_create, user_create
from amends.cases.choices import Channel
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.mail.models import InboundStatus, Via
from amends.mail.store import inbound_store
from amends.portal.session import SESSION_KEY

ROLES = ("anonymous", "customer_a", "customer_b", "agent_in_team", "agent_outside", "lead", "admin")

# One tuple per URL name and method, in the order of ROLES:
#   anonymous, customer A, customer B, agent in team X, agent outside X, lead, admin
# Admin pages are one row (admin:index); Django's admin checks its own permissions.
MATRIX: dict[str, dict[str, tuple[int, ...]]] = {
    # (anonymous, customer A, customer B, agent in X, agent outside X, lead, admin)
    # the site root sends everyone to the complaint form
    "/": {"GET": (302, 302, 302, 302, 302, 302, 302)},
    "admin:index": {"GET": (302, 302, 302, 302, 302, 302, 200)},
    # ninja's bare prefix: nothing there
    "api:api-root": {"GET": (404, 404, 404, 404, 404, 404, 404)},
    "api:case_detail": {"GET": (401, 401, 401, 200, 404, 200, 200)},
    # everyone authenticated may list; the list itself is scoped (test_scope.py)
    "api:case_list": {"GET": (401, 401, 401, 200, 200, 200, 200)},
    "api:case_messages": {"GET": (401, 401, 401, 200, 404, 200, 200)},
    # POST {}: the schema refuses it (422) once the token is accepted
    "api:complaint_create": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (401, 401, 401, 422, 422, 422, 422),
    },
    "api:openapi-json": {"GET": (200, 200, 200, 200, 200, 200, 200)},
    "api:openapi-view": {"GET": (200, 200, 200, 200, 200, 200, 200)},
    "desk:attachment": {"GET": (302, 302, 302, 200, 404, 200, 200)},
    # POST an unknown escalation: 404 for leads
    "desk:attention": {
        "GET": (302, 302, 302, 403, 403, 200, 200),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:case": {"GET": (302, 302, 302, 200, 404, 200, 200)},
    # POST an empty note: 400 in scope, 404 outside
    "desk:case-action": {
        "GET": (302, 302, 302, 405, 405, 405, 405),
        "POST": (302, 302, 302, 400, 404, 400, 400),
    },
    # the reply coach reads a draft: POST only, scoped like the case
    "desk:coach": {
        "GET": (302, 302, 302, 405, 405, 405, 405),
        "POST": (302, 302, 302, 200, 404, 200, 200),
    },
    "desk:case-log": {
        "GET": (302, 302, 302, 200, 200, 200, 200),
        "POST": (302, 302, 302, 400, 400, 400, 400),
    },
    "desk:login": {
        "GET": (200, 200, 200, 302, 302, 302, 302),
        "POST": (200, 200, 200, 302, 302, 302, 302),
    },
    "desk:logout": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 302, 302, 302, 302, 302, 302),
    },
    "desk:mail-original": {"GET": (302, 302, 302, 200, 404, 200, 200)},
    "desk:outbox": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    # Problems and incidents (amends.learning). URL ids here are case A's, so no problem or
    # incident has them: leads get 404 past the role check. Reading and changing real ones by
    # each role: learning/tests/test_permissions.py.
    "desk:problems": {"GET": (302, 302, 302, 200, 200, 200, 200)},
    "desk:problem-new": {
        "GET": (302, 302, 302, 403, 403, 200, 200),
        "POST": (302, 302, 302, 403, 403, 400, 400),
    },
    "desk:problem": {"GET": (302, 302, 302, 404, 404, 404, 404)},
    "desk:problem-edit": {
        "GET": (302, 302, 302, 403, 403, 404, 404),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:problem-cases": {
        "GET": (302, 302, 302, 403, 403, 405, 405),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:problem-actions": {
        "GET": (302, 302, 302, 403, 403, 405, 405),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:problem-action-status": {
        "GET": (302, 302, 302, 403, 403, 405, 405),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:incidents": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    "desk:incident-new": {
        "GET": (302, 302, 302, 403, 403, 200, 200),
        "POST": (302, 302, 302, 403, 403, 400, 400),
    },
    "desk:incident": {"GET": (302, 302, 302, 403, 403, 404, 404)},
    "desk:incident-edit": {
        "GET": (302, 302, 302, 403, 403, 404, 404),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:incident-status": {
        "GET": (302, 302, 302, 403, 403, 405, 405),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    "desk:incident-cases": {
        "GET": (302, 302, 302, 403, 403, 405, 405),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    # Quality (amends.quality). The agent page is the agent in team X's: theirs, an
    # administrator's, but not the other team's lead's (leads see their teams' agents). Case A
    # has no reply yet, so the review form has nobody to score (POST 400). URL ids of reviews
    # and kudos are case A's, so none exists: 404. Real ones by role: quality/tests/test_views.py.
    "desk:quality": {"GET": (302, 302, 302, 302, 302, 200, 200)},
    "desk:quality-agent": {"GET": (302, 302, 302, 200, 403, 403, 200)},
    "desk:quality-review-case": {
        "GET": (302, 302, 302, 403, 403, 200, 200),
        "POST": (302, 302, 302, 403, 403, 400, 400),
    },
    "desk:quality-review": {"GET": (302, 302, 302, 404, 404, 404, 404)},
    "desk:quality-kudos-add": {
        "GET": (302, 302, 302, 405, 405, 405, 405),
        "POST": (302, 302, 302, 400, 404, 400, 400),
    },
    "desk:quality-kudos-delete": {
        "GET": (302, 302, 302, 405, 405, 405, 405),
        "POST": (302, 302, 302, 404, 404, 404, 404),
    },
    "desk:queue": {"GET": (302, 302, 302, 200, 200, 200, 200)},
    # Customer value (issue 7, R-VA-1): leads and admins change figures and import; agents 403.
    # The figures page takes a customer's id: A's case id is none, so not found for leads
    # (reading and changing real figures by each role: customers/tests/test_value_views.py).
    "desk:customer-value": {
        "GET": (302, 302, 302, 403, 403, 404, 404),
        "POST": (302, 302, 302, 403, 403, 404, 404),
    },
    # POST {}: no file, the form says so
    "desk:value-imports": {
        "GET": (302, 302, 302, 403, 403, 200, 200),
        "POST": (302, 302, 302, 403, 403, 400, 400),
    },
    # A's case id is no import: not found
    "desk:value-import": {"GET": (302, 302, 302, 403, 403, 404, 404)},
    "desk:value-import-problems": {"GET": (302, 302, 302, 403, 403, 404, 404)},
    # the managers' dashboard (issue 7): leads and admins only; agents 403
    "desk:reports:dashboard": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    "desk:reports:monthly": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    "desk:reports:table": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    "desk:reports:cases": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    "desk:reports:cases-csv": {"GET": (302, 302, 302, 403, 403, 200, 200)},
    # POST {}: the cases received in the last 12 weeks, written in the background
    "desk:reports:export-start": {
        "GET": (302, 302, 302, 403, 403, 405, 405),
        "POST": (302, 302, 302, 403, 403, 302, 302),
    },
    # A's case id is no export: not found, also for leads (an export is its requester's only)
    "desk:reports:export": {"GET": (302, 302, 302, 403, 403, 404, 404)},
    "desk:reports:export-download": {"GET": (302, 302, 302, 403, 403, 404, 404)},
    "desk:search": {"GET": (302, 302, 302, 200, 200, 200, 200)},
    "portal:attachment": {"GET": (302, 200, 404, 302, 302, 302, 302)},
    "portal:case": {"GET": (302, 200, 404, 302, 302, 302, 302)},
    # a made-up token: gone (410), the same answer as an expired link
    "portal:case-link": {
        "GET": (410, 410, 410, 410, 410, 410, 410),
        "POST": (410, 410, 410, 410, 410, 410, 410),
    },
    # POST the satisfaction check: A's case has none to answer, so back to the case page
    "portal:case-followup": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 302, 404, 302, 302, 302, 302),
    },
    "portal:case-manager": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 400, 404, 302, 302, 302, 302),
    },
    "portal:case-message": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 400, 404, 302, 302, 302, 302),
    },
    # the whole case as a PDF, and as a ZIP with its files
    "portal:case-pdf": {"GET": (302, 200, 404, 302, 302, 302, 302)},
    "portal:case-zip": {"GET": (302, 200, 404, 302, 302, 302, 302)},
    "portal:cases": {"GET": (302, 200, 200, 302, 302, 302, 302)},
    "portal:complain": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (400, 400, 400, 400, 400, 400, 400),
    },
    # a made-up token: gone (410)
    "portal:followup": {
        "GET": (410, 410, 410, 410, 410, 410, 410),
        "POST": (410, 410, 410, 410, 410, 410, 410),
    },
    # the customer's language and channel choices
    "portal:preferences": {
        "GET": (302, 200, 200, 302, 302, 302, 302),
        "POST": (302, 200, 200, 302, 302, 302, 302),
    },
    "portal:sign-out": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 302, 302, 302, 302, 302, 302),
    },
    "portal:signin": {
        "GET": (200, 302, 302, 200, 200, 200, 200),
        "POST": (400, 400, 400, 400, 400, 400, 400),
    },
    "portal:signin-code": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (400, 400, 400, 400, 400, 400, 400),
    },
    # a made-up token: gone (410)
    "portal:signin-link": {
        "GET": (410, 410, 410, 410, 410, 410, 410),
        "POST": (410, 410, 410, 410, 410, 410, 410),
    },
    # the unguessable case id is the capability (shows reference and due date only)
    "portal:thanks": {"GET": (200, 200, 200, 200, 200, 200, 200)},
    "set_language": {
        "GET": (302, 302, 302, 302, 302, 302, 302),
        "POST": (302, 302, 302, 302, 302, 302, 302),
    },
}

# The URLs that take a POST, and what is posted: empty or invalid forms that change nothing of
# note. Fixtures are function-scoped, so a POST that does change something (signing out)
# cannot spoil the next row.
POST_DATA: dict[str, dict] = {
    "api:complaint_create": {},
    "desk:attention": {"escalation": "0"},
    "desk:case-action": {},
    "desk:coach": {"body": "Dear Anna, I will call you tomorrow."},
    "desk:case-log": {},
    "desk:login": {},
    "desk:problem-new": {},
    "desk:problem-edit": {},
    "desk:problem-cases": {},
    "desk:problem-actions": {},
    "desk:problem-action-status": {},
    "desk:incident-new": {},
    "desk:incident-edit": {},
    "desk:incident-status": {},
    "desk:incident-cases": {},
    "desk:quality-review-case": {},
    "desk:quality-kudos-add": {},
    "desk:quality-kudos-delete": {},
    "desk:reports:export-start": {},
    "desk:customer-value": {},
    "desk:value-imports": {},
    "desk:logout": {},
    "portal:case-followup": {},
    "portal:case-manager": {},
    "portal:case-message": {},
    "portal:case-link": {},
    "portal:complain": {},
    "portal:followup": {},
    "portal:preferences": {},
    "portal:sign-out": {},
    "portal:signin": {},
    "portal:signin-code": {},
    "portal:signin-link": {},
    "set_language": {"language": "he"},
}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            )
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            # Unnamed patterns are keyed by their route ("/" is the site root).
            name = pattern.name or "/" + route
            yield (f"{namespace}:{name}" if namespace else name), pattern


def url_names() -> list[str]:
    names = {name for name, _pattern in _walk(get_resolver().url_patterns)}
    return sorted(name for name in names if not name.startswith("admin:") or name == "admin:index")


@pytest.fixture
def world(db):
    """Two customers, A (team X, by email, with a file) and B; staff in and out of team X."""
    team_x = team_create(name="Team X", slug="x")
    team_y = team_create(name="Team Y", slug="y")

    def staff(name, role=Role.AGENT, teams=()):
        return user_create(
            username=name, email=f"{name}@amends.test", full_name=name.title(), role=role, teams=list(teams)
        )

    users = {
        "agent_in_team": staff("xavier", teams=[team_x]),
        "agent_outside": staff("yael", teams=[team_y]),
        "lead": staff("lior", role=Role.LEAD, teams=[team_y]),
        "admin": staff("ada", role=Role.ADMIN),
    }
    owner = staff("olga", teams=[team_x])
    message = EmailMessage()
    message["From"] = "Anna Alpha <anna@example.com>"
    message["To"] = "care@amends.localhost"
    message["Subject"] = "Broken fridge"
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content("My new fridge arrived broken.")
    message.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="receipt.pdf")
    row, _created = inbound_store(raw=bytes(message), via=Via.PIPE)
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED, row.error
    case_a = lifecycle.case_transfer(
        case=row.case,
        to_owner=owner,
        to_team=team_x,
        actor=users["lead"],
        summary="Broken on arrival; the receipt is attached to the mail.",
    )
    first = row.case_message
    case_b = case_open(
        channel=Channel.WEB,
        body="My parcel never came.",
        full_name="Boris Beta",
        email="boris@example.com",
        attachments=[SimpleUploadedFile("photo.pdf", b"%PDF-1.4 photo")],
    )
    return {
        "users": users,
        "case_a": case_a,
        "message_a": first,
        "attachment_a": first.attachments.get(),
        "case_b": case_b,
        "attachment_b": case_b.messages.get().attachments.get(),
    }


def _as(role: str, world: dict, *, api: bool) -> Client:
    client = Client()
    if role.startswith("customer_"):
        case = world["case_a" if role == "customer_a" else "case_b"]
        session = client.session
        session[SESSION_KEY] = {
            "customer": case.customer_id,
            "since": int(clock.now().timestamp() * 1000),
            "cases": None,
        }
        session.save()
    elif role != "anonymous":
        user = world["users"][role]
        if api:
            _token, raw = api_token_create(user=user, name="matrix")
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        else:
            client.force_login(user)
    return client


def _url(name: str, world: dict) -> str:
    if name.startswith("/"):
        return name
    pattern = dict(_walk(get_resolver().url_patterns))[name]
    params = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
    values = {
        "public_id": world["attachment_a" if "attachment" in name else "case_a"].public_id,
        "message_id": world["message_a"].public_id,
        "action": "note",
        "token": "not-a-real-token",
        "agent_id": world["users"]["agent_in_team"].pk,
    }
    return reverse(name, kwargs={key: values[key] for key in params})


ROWS = [
    (name, method, role)
    for name in url_names()
    for method in (MATRIX.get(name) or {"GET": ()})
    for role in ROLES
]


def test_every_url_has_a_row():
    """A new endpoint without a row here fails: decide who may reach it, then add it."""
    missing = sorted(set(url_names()) - set(MATRIX))
    assert missing == [], f"URLs without a row in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - set(url_names()))
    assert stale == [], f"rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize(("name", "method", "role"), ROWS)
def test_matrix(world, name, method, role):
    # given
    client = _as(role, world, api=name.startswith("api:"))
    url = _url(name, world)
    # when
    if method == "GET":
        response = client.get(url)
    elif name.startswith("api:"):
        response = client.post(url, POST_DATA[name], content_type="application/json")
    else:
        response = client.post(url, POST_DATA[name])
    # then
    expected = MATRIX[name][method][ROLES.index(role)]
    assert response.status_code == expected, f"{method} {url} as {role}"


def test_another_customers_case_and_file_read_as_not_found(world):
    """Customer A asking for B's case or file gets the same 404 as for an id that never existed."""
    client = _as("customer_a", world, api=False)
    unknown = "00000000-0000-4000-8000-000000000000"
    for url in (
        reverse("portal:case", kwargs={"public_id": world["case_b"].public_id}),
        reverse("portal:attachment", kwargs={"public_id": world["attachment_b"].public_id}),
        reverse("portal:case", kwargs={"public_id": unknown}),
        reverse("portal:attachment", kwargs={"public_id": unknown}),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert world["case_b"].reference not in response.content.decode()


def test_every_post_endpoint_has_a_post_row():
    """A URL that takes a POST is checked with one: its row has both methods."""
    assert sorted(name for name in POST_DATA if set(MATRIX[name]) != {"GET", "POST"}) == []
