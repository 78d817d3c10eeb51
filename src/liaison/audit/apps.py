from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from liaison.audit import chainer, checkpoints
        from liaison.core import worker

        # The worker signs the chain head every AUDIT_CHECKPOINT_INTERVAL seconds and when it stops.
        worker.register_periodic(
            "audit checkpoint",
            checkpoints.worker_checkpoint,
            every=lambda: settings.AUDIT_CHECKPOINT_INTERVAL,
            at_stop=checkpoints.worker_final_checkpoint,
        )
        # The chainer links appended events within a second, whatever else the worker is doing.
        worker.register_thread("audit chainer", chainer.worker_link, every=lambda: settings.AUDIT_LINK_POLL)
