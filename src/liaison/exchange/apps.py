from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from liaison.core import worker
        from liaison.exchange import tasks

        # The outbox: due envelopes pushed to their peers, with backoff kept in columns.
        worker.register_periodic(
            "exchange push",
            tasks.push_due,
            every=lambda: settings.EXCHANGE_PUSH_SECONDS,
        )
