from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import get_internal_wsgi_application, run

from processes.jobs.embedded import EmbeddedWorker


class Command(BaseCommand):
    help = "Serve the web interface and API, with the embedded worker unless a broker is set."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        worker = None
        if settings.CELERY_BROKER_URL:
            self.stdout.write("Jobs go to Celery; run `celery -A bpm worker -B` beside this.")
        else:
            worker = EmbeddedWorker()
            worker.start()
            self.stdout.write(f"Embedded worker {worker.worker} started.")
        self.stdout.write(f"Baton is serving at http://{host}:{port}/ (Ctrl+C stops it).")
        try:
            run(host, port, get_internal_wsgi_application(), threading=True)
        except KeyboardInterrupt:
            pass
        finally:
            if worker:
                worker.stop()
