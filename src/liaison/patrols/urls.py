from django.urls import path

from liaison.patrols import views

app_name = "patrols"
urlpatterns = [
    path("patrols/", views.patrol_list, name="list"),
    path("patrols/new/", views.patrol_new, name="new"),
    path("patrols/<uuid:patrol_id>/", views.patrol_detail, name="detail"),
    path("patrols/<uuid:patrol_id>/<slug:name>/", views.patrol_action, name="action"),
    path("patrol-plans/", views.plans, name="plans"),
    path("patrol-plans/<uuid:plan_id>/", views.plan_detail, name="plan"),
    path("patrol-plans/<uuid:plan_id>/approve/", views.plan_approve, name="plan_approve"),
    path("patrol-coverage/", views.coverage, name="coverage"),
    path("patrol-markers/import/", views.marker_import, name="import"),
]
