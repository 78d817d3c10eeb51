import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
from liaison.core.middleware import BodyLimitASGI  # noqa: E402  (after the settings module is named)

# The body limit applies while the body is read: Django's ASGI handler reads it all first.
application = BodyLimitASGI(get_asgi_application())
