from django.urls import path

from liaison.exchange import wire

app_name = "exchange"
urlpatterns = [
    path("exchange/inbox/", wire.inbox, name="inbox"),
    path("exchange/outbox/", wire.outbox, name="outbox"),
]
