from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _schedule_alert_checks(sender, **kwargs):
    from metrics.jobs import ensure_scheduled

    ensure_scheduled()


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Process metrics"

    def ready(self):
        # Register the "metrics.check_alerts" job kind; start its chain after `migrate`,
        # so every installation checks its processes without a step of its own.
        from metrics import jobs  # noqa: F401

        post_migrate.connect(_schedule_alert_checks, sender=self)
