"""The platform's roles, as Django groups holding capability permissions.

A role is a group; a user may hold several. Views never test group names: they test a
capability (``accounts.deploy_processes``…), so an administrator can grant one capability
to one person without inventing a new role.
"""

from django.contrib.auth.models import Group, Permission

CAPABILITIES = {
    "view_processes": "See process definitions, versions and diagrams",
    "design_processes": "Open the process designer and save drafts",
    "deploy_processes": "Deploy new process definitions and versions",
    "start_processes": "Start process instances",
    "work_on_tasks": "Claim and complete tasks in the inbox",
    "view_dashboards": "See KPI dashboards",
    "reassign_tasks": "Reassign other people's tasks",
    "operate_instances": "Operate instances: incidents, cancel, suspend, migrate; system status",
    "work_external_tasks": "Fetch, lock and complete external tasks as a worker",
    "manage_webhooks": "Subscribe URLs to process events (webhooks)",
    "view_email_addresses": "See other users' e-mail addresses in the users API",
}

PROCESS_OWNERS = "Process owners"
EMPLOYEES = "Employees"
MANAGERS = "Managers"
ADMINISTRATORS = "Administrators"
INTEGRATIONS = "Integrations"

ROLES = {
    PROCESS_OWNERS: [
        "view_processes",
        "design_processes",
        "deploy_processes",
        "start_processes",
        "manage_webhooks",
    ],
    EMPLOYEES: ["work_on_tasks", "start_processes"],
    MANAGERS: ["view_processes", "view_dashboards", "reassign_tasks"],
    ADMINISTRATORS: list(CAPABILITIES),
    # Service accounts of other systems: start processes, do their external tasks.
    INTEGRATIONS: ["view_processes", "start_processes", "work_on_tasks", "work_external_tasks"],
}


def capability(codename: str) -> str:
    """Return the permission name that ``user.has_perm`` expects for a capability."""
    if codename not in CAPABILITIES:
        raise KeyError(f"unknown capability {codename!r}")
    return f"accounts.{codename}"


def groups_named(names) -> list[Group]:
    """Return the groups called ``names``; raise KeyError naming those that do not exist."""
    names = set(names)
    groups = list(Group.objects.filter(name__in=names))
    missing = names - {g.name for g in groups}
    if missing:
        raise KeyError(f"Unknown role(s): {', '.join(sorted(missing))}.")
    return groups


def sync_roles() -> None:
    """Create the role groups and give each exactly its capabilities (idempotent)."""
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="accounts", codename__in=CAPABILITIES
        )
    }
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([permissions[c] for c in codenames if c in permissions])
