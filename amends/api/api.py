"""The NinjaAPI instance: assembles routers, auth and error handling. OpenAPI at /api/docs."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from amends.accounts.selectors import api_token_user
from amends.api.routers.cases import router as cases_router
from amends.core.errors import Conflict, DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(raw_key=token)
        if user is not None:
            request.user = user
        return user


# The Swagger UI at /api/docs runs under the site's Content-Security-Policy as it is: ninja's
# page has no inline script (settings in a JSON data block, start-up in swagger-ui-init.js),
# its assets are our static files, and it only fetches /api/openapi.json and the API itself
# (tests/browser/test_csp.py). If an upgrade needs more, widen it for this page alone with
# `docs_decorator=csp_override({...})`, never in SECURE_CSP (docs/decisions/0009).
api = NinjaAPI(
    title="Amends API",
    version="1",
    description="Complaints in, cases out. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `manage.py api_token_create USERNAME NAME`).",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/v1/", cases_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    status = 409 if isinstance(exc, Conflict) else 400
    return api.create_response(
        request, {"code": exc.code, "message": str(exc.message), "field": exc.field}, status=status
    )
