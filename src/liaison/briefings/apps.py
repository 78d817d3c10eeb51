from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.briefings"
    label = "briefings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.briefings import tasks
        from liaison.core import worker

        # Overdue conclusions are escalated and agreements' reviews reminded by the existing
        # worker's sweep (decision 0006), not by a mechanism of their own.
        worker.register_sweep(tasks.sweep)
