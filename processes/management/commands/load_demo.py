from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import create_demo_users
from processes.demo import deploy_demo_processes


class Command(BaseCommand):
    help = "Load demo users (one per role) and example processes; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even with DEBUG off (demo passwords are public: never in production)",
        )

    def handle(self, *args, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError("Demo users have public passwords: refusing with DEBUG off.")
        rows = create_demo_users()
        processes = deploy_demo_processes()
        self.stdout.write("Demo processes: " + ", ".join(processes))
        self.stdout.write("Demo users (username / roles / password):")
        for username, roles, password in rows:
            self.stdout.write(f"  {username:<8} {roles:<16} {password}")
