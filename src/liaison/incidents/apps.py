from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.incidents"
    label = "incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.core import worker
        from liaison.incidents import tasks
        from liaison.incidents.services.lifecycle import incidents_follow_item
        from liaison.intel import hooks as intel_hooks

        # The worker's escalation sweep, and incidents following their items' handling level: the
        # kernel and intel call them without knowing incidents (decision 0006).
        worker.register_sweep(tasks.sweep_due)
        intel_hooks.handling_raised.register(incidents_follow_item)
