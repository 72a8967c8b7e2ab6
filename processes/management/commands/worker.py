from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from processes.jobs.embedded import EmbeddedWorker


class Command(BaseCommand):
    help = "Run the embedded job worker alone (no broker needed): service tasks, timers, e-mail."

    def handle(self, *args, **options):
        if settings.CELERY_BROKER_URL:
            raise CommandError(
                "CELERY_BROKER_URL is set: run `celery -A bpm worker -B` instead, "
                "or unset it to use the embedded worker."
            )
        worker = EmbeddedWorker()
        self.stdout.write(f"Embedded worker {worker.worker} running; Ctrl+C stops it.")
        worker.start()
        try:
            while worker.is_alive():
                worker.join(timeout=1)
        except KeyboardInterrupt:
            worker.stop()
            worker.join(timeout=10)
