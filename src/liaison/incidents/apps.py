from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.incidents"
    label = "incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.core import worker
        from liaison.incidents import tasks

        # The worker's escalation sweep: the kernel calls it without knowing incidents (decision 0006).
        worker.register_sweep(tasks.sweep_due)
