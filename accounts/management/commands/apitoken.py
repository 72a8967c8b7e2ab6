from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import create_token


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (tokens are stored hashed and shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="create the user if missing")
        parser.add_argument("--groups", default="", help="comma-separated roles to add, e.g. Employees,Managers")
        parser.add_argument("--superuser", action="store_true", help="make the user a superuser")
        parser.add_argument("--name", default="manage.py apitoken", help="what the token is for")

    def handle(self, *args, username, create, groups, superuser, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            if not create:
                raise CommandError(f"No user {username!r}; add --create to create one.") from None
            user = User.objects.create_user(username)
        wanted = [g.strip() for g in groups.split(",") if g.strip()]
        found = list(Group.objects.filter(name__in=wanted))
        missing = set(wanted) - {g.name for g in found}
        if missing:
            raise CommandError(f"Unknown role(s): {', '.join(sorted(missing))}.")
        user.groups.add(*found)
        if superuser:
            user.is_superuser = user.is_staff = True
            user.save()
        self.stdout.write(create_token(user, name))
