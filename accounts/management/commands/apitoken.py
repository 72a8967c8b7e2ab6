from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import groups_named
from accounts.tokens import create_token


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME (tokens are stored hashed and shown only once), "
        "or list or revoke the user's tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="create the user if missing")
        parser.add_argument("--groups", default="", help="comma-separated roles to add, e.g. Employees,Managers")
        parser.add_argument("--superuser", action="store_true", help="make the user a superuser")
        parser.add_argument("--name", default="manage.py apitoken", help="what the token is for")
        other = parser.add_mutually_exclusive_group()
        other.add_argument("--list", action="store_true", dest="listing", help="list the user's tokens instead")
        other.add_argument("--revoke", metavar="PREFIX", help="revoke the user's token with this prefix")

    def handle(self, *args, username, create, groups, superuser, name, listing, revoke, **options):
        user = self.find_user(username, create)
        if listing:
            self.list_tokens(user)
        elif revoke:
            self.revoke_token(user, revoke)
        else:
            self.add_roles(user, groups, superuser)
            self.stdout.write(create_token(user, name))

    def find_user(self, username, create):
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            if not create:
                raise CommandError(f"No user {username!r}; add --create to create one.") from None
            return User.objects.create_user(username)

    def add_roles(self, user, groups, superuser):
        try:
            user.groups.add(*groups_named(g.strip() for g in groups.split(",") if g.strip()))
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        if superuser:
            user.is_superuser = user.is_staff = True
            user.save()

    def list_tokens(self, user):
        tokens = user.api_tokens.order_by("created_at")
        for token in tokens:
            self.stdout.write(
                f"{token.prefix}  created {when(token.created_at)}  "
                f"last used {when(token.last_used_at)}  expires {when(token.expires_at)}  {token.name}"
            )
        if not tokens:
            self.stdout.write(f"{user} has no API token.")

    def revoke_token(self, user, prefix):
        revoked, _ = user.api_tokens.filter(prefix=prefix[:8]).delete()
        if not revoked:
            raise CommandError(f"{user} has no token with the prefix {prefix!r}.")
        self.stdout.write(f"Revoked {user}'s token {prefix[:8]}….")


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"
