from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.incidents"
    label = "incidents"
    default_auto_field = "django.db.models.BigAutoField"
