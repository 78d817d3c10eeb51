from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.core import worker
        from liaison.programs import tasks

        # Entries due and missing for more than ten days notify the commune and its parent: a
        # periodic job of the existing worker (decision 0006), not a mechanism of its own.
        worker.register_periodic("programs.missing", tasks.notify_missing, every=tasks.every)
