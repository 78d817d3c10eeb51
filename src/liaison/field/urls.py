from django.urls import path

from liaison.field import views

app_name = "field"
urlpatterns = [
    path("field/", views.report, name="report"),
    path("field/incident/", views.incident, name="incident"),
    path("field/checkin/", views.checkin, name="checkin"),
    path("field/sw.js", views.service_worker, name="sw"),
    path("field/session/", views.session, name="session"),
    path("field/phones/", views.phones, name="phones"),
    path("field/gateways/", views.gateways, name="gateways"),
    path("field/incidents/<uuid:incident_id>/public/", views.incident_public, name="incident_public"),
    path("tin-bao/", views.tip, name="tip"),
    path("field/tips/", views.tip_list, name="tips"),
    path("field/tips/<uuid:tip_id>/", views.tip_detail, name="tip_detail"),
    path("cap/", views.cap_feed, name="cap_feed"),
    path("cap/<uuid:incident_id>.xml", views.cap_alert, name="cap_alert"),
    path("field/sms/kannel/", views.sms_kannel, name="sms_kannel"),
]
