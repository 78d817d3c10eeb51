from django.urls import path

from liaison.exchange import views, wire

app_name = "exchange"
urlpatterns = [
    path("exchange/", views.hub, name="hub"),
    path("exchange/release/<uuid:item_id>/", views.release_new, name="release_new"),
    path("exchange/release-incident/<uuid:incident_id>/", views.release_incident, name="release_incident"),
    path("exchange/releases/<uuid:release_id>/", views.release_detail, name="release"),
    path("exchange/releases/<uuid:release_id>/<slug:name>/", views.release_action, name="release_action"),
    path("exchange/partner-items/<uuid:item_id>/", views.partner_item, name="partner_item"),
    path("exchange/partner-incidents/<uuid:incident_id>/", views.partner_incident, name="partner_incident"),
    path("exchange/peers/new/", views.peer_new, name="peer_new"),
    path("exchange/peers/<uuid:peer_id>/", views.peer_detail, name="peer"),
    path("exchange/peers/<uuid:peer_id>/revoke/", views.peer_revoke, name="peer_revoke"),
    path("exchange/inbox/", wire.inbox, name="inbox"),
    path("exchange/outbox/", wire.outbox, name="outbox"),
    path("exchange/witness/", wire.witness, name="witness"),
]
