from django.urls import path

from liaison.situation import stream, views

app_name = "situation"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("trends/", views.trends_page, name="trends"),
    path("events/stream", stream.stream, name="stream"),
]
