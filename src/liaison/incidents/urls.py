from django.urls import path

from liaison.incidents import views

app_name = "incidents"
urlpatterns = [
    path("incidents/", views.board, name="board"),
    path("incidents/new/", views.incident_new, name="new"),
    path("incidents/<uuid:incident_id>/", views.detail, name="detail"),
    path("incidents/<uuid:incident_id>/<slug:name>/", views.action, name="action"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("plans/", views.plans, name="plans"),
    path("plans/<uuid:plan_id>/approve/", views.plan_approve, name="plan_approve"),
    path("lead-rules/", views.lead_rules, name="rules"),
]
