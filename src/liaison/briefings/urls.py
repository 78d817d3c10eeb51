from django.urls import path

from liaison.briefings import views

app_name = "briefings"
urlpatterns = [
    path("briefings/", views.briefing_list, name="list"),
    path("briefings/<uuid:briefing_id>/", views.briefing_detail, name="detail"),
    path("briefings/<uuid:briefing_id>/<slug:name>/", views.briefing_action, name="action"),
    path("briefings/documents/<uuid:generation_id>/", views.generation_progress, name="progress"),
    path("briefings/documents/<uuid:generation_id>/file.<str:fmt>", views.generation_file, name="file"),
    path("conclusions/", views.conclusion_list, name="conclusions"),
    path("conclusions/<uuid:conclusion_id>/", views.conclusion_action, name="conclusion"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<uuid:agreement_id>/file", views.agreement_file, name="agreement_file"),
]
