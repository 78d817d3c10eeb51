from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.field"
    label = "field"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.core import worker
        from liaison.field import tasks

        # Ended rate-limit windows of the tip line are swept by the existing worker (decision 0006).
        worker.register_periodic("field.rate_windows", tasks.sweep_rate_windows, every=tasks.every)
