import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
from liaison.core.serving import StreamHandoff  # noqa: E402

# Under `liaison serve` the live streams are handed to the ASGI stream process (decision 0019).
application = StreamHandoff(get_wsgi_application(), settings.LIAISON_ASGI_PATHS)
