from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.field"
    label = "field"
    default_auto_field = "django.db.models.BigAutoField"
