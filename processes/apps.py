from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = "Processes"

    def ready(self):
        # Register the built-in and the engine's job kinds.
        from processes import notifications, timer_starts  # noqa: F401
        from processes.jobs import engine_jobs, handlers  # noqa: F401
        # Teach the OpenAPI schema our token scheme.
        from processes.api import schema  # noqa: F401
