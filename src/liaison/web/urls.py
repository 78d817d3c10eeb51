from django.urls import path

from liaison.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_list, name="units"),
    path("units/<uuid:unit_id>/", views.unit_detail, name="unit"),
    path("places/", views.place_list, name="places"),
    path("work/nav/", views.nav_fragment, name="nav"),
]
