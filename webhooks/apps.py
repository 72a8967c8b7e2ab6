from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        # Register the "webhook.deliver" job kind.
        from webhooks import sending  # noqa: F401
