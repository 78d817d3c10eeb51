from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.intel"
    label = "intel"
    default_auto_field = "django.db.models.BigAutoField"
