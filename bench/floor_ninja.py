"""The framework floor of the HTTP benchmark: Django + django-ninja + a bearer token + one indexed
50-row query, with nothing else of Liaison's on the request path. One endpoint, GET /floor/items,
returns the newest 50 information items as model instances (`Item.objects.order_by("-received_at",
"-id")[:50]`) through a ninja Schema, for a request whose `Authorization: Bearer` token is found
by its digest in one indexed query of the token table (a missing or unknown token: 401; no expiry,
membership or policy check). No need-to-know policy, no joins, and by default no middleware.

It runs on Liaison's own settings (database, apps, production flags from the environment); only
the URLconf is this module, and the middleware list is emptied unless BENCH_FLOOR_MIDDLEWARE=liaison
(then the request passes Liaison's whole middleware stack, so that the two can be told apart).

bench/httpbench.py serves it with the same server as `liaison serve` (gunicorn, same worker class),
so that `CPU of GET /api/v1/items ÷ floor` compares like with like; by hand, from the repository
root (imported as `bench.floor_ninja`, never with bench/ on sys.path):

    DATABASE_URL=postgres://... LIAISON_DEBUG=0 LIAISON_SECRET_KEY=... LIAISON_ALLOWED_HOSTS=127.0.0.1 \\
        LIAISON_HTTPS=0 .venv/bin/gunicorn bench.floor_ninja:wsgi_application -k gthread -w 2 -b :8702
    curl -H 'Authorization: Bearer lia_…' http://127.0.0.1:8702/floor/items
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.urls import path  # noqa: E402
from ninja import NinjaAPI, Schema  # noqa: E402
from ninja.security import HttpBearer  # noqa: E402

from liaison.accounts.models import ApiToken  # noqa: E402
from liaison.accounts.services import token_digest  # noqa: E402
from liaison.intel.models import Item  # noqa: E402

# Before the handler is built: it reads MIDDLEWARE once; the resolver reads ROOT_URLCONF per request.
settings.ROOT_URLCONF = __name__
if os.environ.get("BENCH_FLOOR_MIDDLEWARE", "none") != "liaison":
    settings.MIDDLEWARE = []


class ItemRow(Schema):
    id: uuid.UUID
    ref: str
    title: str
    received_at: dt.datetime


class FloorBearer(HttpBearer):
    def authenticate(self, request, token):
        return ApiToken.objects.filter(digest=token_digest(token)).values_list("user_id", flat=True).first()


api = NinjaAPI(title="floor", urls_namespace="floor", docs_url=None, auth=FloorBearer())


@api.get("/items", response=list[ItemRow])
def items(request):
    return list(Item.objects.order_by("-received_at", "-id")[:50])


urlpatterns = [path("floor/", api.urls)]

application = ASGIHandler()
wsgi_application = WSGIHandler()
