from django.urls import path

from liaison.programs import views

app_name = "programs"
urlpatterns = [
    path("programs/", views.program_list, name="list"),
    path("programs/new/", views.program_new, name="new"),
    path("programs/<uuid:program_id>/", views.program_detail, name="detail"),
    path("programs/<uuid:program_id>/entry/", views.entry_form, name="entry_form"),
    path("programs/<uuid:program_id>/targets/", views.program_targets, name="targets"),
    path("programs/<uuid:program_id>/edit/", views.program_edit, name="edit"),
    path("programs/<uuid:program_id>/progress.<str:fmt>", views.program_export, name="export"),
    path("programs/<uuid:program_id>/<slug:name>/", views.program_action, name="action"),
    path("programs/entries/<uuid:entry_id>/", views.entry_detail, name="entry"),
    path("programs/entries/<uuid:entry_id>/<slug:name>/", views.entry_decide, name="decide"),
]
