from django.apps import AppConfig


class Config(AppConfig):
    """The reference deployment: no models, only its loader and the `demo`, `demo-serve` commands."""

    name = "liaison.demo"
    label = "demo"
