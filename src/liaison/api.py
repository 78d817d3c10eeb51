"""The API at /api/v1/: every context's router, one error shape, token or session authentication."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from ninja.security import HttpBearer, SessionAuth

from liaison.accounts.api import router as tokens_router
from liaison.accounts.services import api_token_authenticate
from liaison.audit.api import router as audit_router
from liaison.briefings.api import router as briefings_router
from liaison.core.api import ObjectParser, ProblemDocumentAPI, Renderer, install_error_handlers, problem
from liaison.field.api import router as field_router
from liaison.geo.api import router as geo_router
from liaison.incidents.api import router as incidents_router
from liaison.intel.api import router as intel_router
from liaison.org.actor import actor_for_request
from liaison.org.api import me_router, units_router
from liaison.patrols.api import router as patrols_router
from liaison.programs.api import router as programs_router
from liaison.situation.api import router as situation_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer lia_…`: a per-user API token acting for one membership."""

    def authenticate(self, request, token):
        actor = api_token_authenticate(token)
        if actor is None:
            return None
        request._liaison_actor = actor
        request.user = actor.user
        return actor.user


class SessionActorAuth(SessionAuth):
    """The signed-in session (CSRF checked on unsafe methods, as ninja does for cookie auth)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        actor_for_request(request)
        return user


def signed_in_or_token(view):
    """The API's document and its browsable docs: for a signed-in session or a valid bearer token
    (a client generating its code from `openapi.json` has only its token). Anyone else: 401 with a
    problem for a token that does not hold, the sign-in page for a browser."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            if TokenAuth().authenticate(request, header[7:].strip()) is not None:
                return view(request, *args, **kwargs)
            return problem(
                401,
                "unauthenticated",
                "Sign in or send a valid API token.",
                headers={"WWW-Authenticate": 'Bearer realm="liaison"'},
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


api = ProblemDocumentAPI(
    title="Liaison API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionActorAuth()],
    docs_decorator=signed_in_or_token,
    parser=ObjectParser(),
    renderer=Renderer(),
    description="Coordination platform for border security. Errors are RFC 9457 problem details with "
    "field errors; every create accepts an Idempotency-Key header.",
)
install_error_handlers(api)
api.add_router("/me", me_router)
api.add_router("/units", units_router)
api.add_router("/", geo_router)
api.add_router("/tokens", tokens_router)
api.add_router("/audit", audit_router)
api.add_router("/", intel_router)
api.add_router("/", incidents_router)
api.add_router("/", situation_router)
api.add_router("/", patrols_router)

# programs (issue 17)
api.add_router("/", programs_router)
# briefings (issue 18)
api.add_router("/", briefings_router)

# field reporting (issue 19): CAP publication
api.add_router("/", field_router)
