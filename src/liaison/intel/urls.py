from django.urls import path

from liaison.intel import views

app_name = "intel"
urlpatterns = [
    path("items/", views.item_list, name="list"),
    path("items/new/", views.item_create, name="create"),
    path("items/<uuid:item_id>/", views.item_detail, name="detail"),
    path("items/<uuid:item_id>/access/", views.access, name="access"),
    path("items/<uuid:item_id>/<slug:action>/", views.item_action, name="action"),
    path("attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("stats/", views.stats_page, name="stats"),
]
