from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from liaison.audit import hooks
        from liaison.core import worker
        from liaison.exchange import tasks

        # The outbox: due envelopes pushed to their peers, with backoff kept in columns.
        worker.register_periodic(
            "exchange push",
            tasks.push_due,
            every=lambda: settings.EXCHANGE_PUSH_SECONDS,
        )
        # Witnessing: each peer keeps this node's signed audit checkpoints (sent with the outbox);
        # `liaison audit verify --witness PEER` fetches them back to compare.
        worker.register_periodic(
            "exchange witness",
            tasks.send_checkpoints,
            every=lambda: settings.AUDIT_CHECKPOINT_INTERVAL,
        )
        hooks.witness_copies.register(tasks.witness_copies)
        # The explainer ("who can see this, and why") covers the partner node.
        from liaison.exchange import selectors
        from liaison.intel import hooks as intel_hooks

        intel_hooks.beyond_this_node.register(selectors.beyond_this_node)
