"""Demo users: one per role, for trying Baton out."""

from django.contrib.auth.models import Group, User

from accounts.roles import ADMINISTRATORS, EMPLOYEES, MANAGERS, PROCESS_OWNERS

DEMO_USERS = [
    # username, full name, roles, password
    ("olivia", "Olivia Owner", [PROCESS_OWNERS], "olivia-designs"),
    ("emma", "Emma Employee", [EMPLOYEES], "emma-works"),
    ("ethan", "Ethan Employee", [EMPLOYEES], "ethan-works"),
    ("max", "Max Manager", [MANAGERS], "max-measures"),
    ("ada", "Ada Admin", [ADMINISTRATORS], "ada-administers"),
]


def create_demo_users() -> list[tuple[str, str, str]]:
    """Create the demo users that do not exist yet; return (username, roles, password)."""
    rows = []
    for username, full_name, roles, password in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(password)
            user.is_staff = user.is_superuser = ADMINISTRATORS in roles
            user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
        rows.append((username, ", ".join(roles), password))
    return rows
