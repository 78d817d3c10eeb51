from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.patrols"
    label = "patrols"
    default_auto_field = "django.db.models.BigAutoField"
