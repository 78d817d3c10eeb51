"""The API at /api/v1/: every context's router, one error shape, token or session authentication."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja.security import HttpBearer, SessionAuth

from liaison.accounts.api import router as tokens_router
from liaison.accounts.services import api_token_authenticate
from liaison.audit.api import router as audit_router
from liaison.core.api import ObjectParser, ProblemDocumentAPI, install_error_handlers
from liaison.geo.api import router as geo_router
from liaison.incidents.api import router as incidents_router
from liaison.intel.api import router as intel_router
from liaison.org.actor import actor_for_request
from liaison.org.api import me_router, units_router
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


api = ProblemDocumentAPI(
    title="Liaison API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionActorAuth()],
    docs_decorator=login_required,
    parser=ObjectParser(),
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

# programs (issue 17)
api.add_router("/", programs_router)
