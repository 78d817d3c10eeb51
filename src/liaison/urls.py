from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from liaison.api import api
from liaison.web.admin_site import site as admin_site

urlpatterns = [
    path("", include("liaison.web.urls")),
    path("accounts/", include("liaison.accounts.urls")),
    path("audit/", include("liaison.audit.urls")),
    path("", include("liaison.intel.urls")),
    path("", include("liaison.incidents.urls")),
    path("", include("liaison.situation.urls")),
    path("", include("liaison.patrols.urls")),
    path("", include("liaison.exchange.urls")),
    # programs (issue 17)
    path("", include("liaison.programs.urls")),
    # field reporting (issue 19)
    path("", include("liaison.field.urls")),
    # briefings (issue 18)
    path("", include("liaison.briefings.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
]

admin.site = admin_site
