from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.situation"
    label = "situation"
    default_auto_field = "django.db.models.BigAutoField"
