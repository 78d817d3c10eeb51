"""The API at /api/v1/: every context's router, one error shape, token or session authentication."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from liaison.accounts.api import router as tokens_router
from liaison.audit.api import router as audit_router
from liaison.core.api import ObjectParser, SessionActorAuth, TokenAuth, install_error_handlers
from liaison.geo.api import router as geo_router
from liaison.incidents.api import router as incidents_router
from liaison.intel.api import router as intel_router
from liaison.org.api import me_router, units_router
from liaison.situation.api import router as situation_router

api = NinjaAPI(
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
