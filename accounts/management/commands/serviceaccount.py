from django.core.management.base import BaseCommand, CommandError

from accounts.roles import INTEGRATIONS
from accounts.service_accounts import UsernameTaken, create_service_account


class Command(BaseCommand):
    help = (
        "Create a service account NAME for another system (no password: it authenticates "
        "with API tokens only) and print its first token, which is shown only once."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--roles", default=INTEGRATIONS, help=f"comma-separated roles (default: {INTEGRATIONS})"
        )
        parser.add_argument("--description", default="", help="the system that uses it, and whom to ask")

    def handle(self, *args, name, roles, description, **options):
        try:
            _, token = create_service_account(
                name, [r.strip() for r in roles.split(",") if r.strip()], description
            )
        except (KeyError, UsernameTaken) as exc:
            raise CommandError(exc.args[0]) from None
        self.stdout.write(token.key)
