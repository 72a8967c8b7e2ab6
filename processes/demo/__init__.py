"""Example processes from real domains, deployed by ``manage.py load_demo``."""

from pathlib import Path

from django.contrib.auth.models import User

from processes.deployments import deploy

DEMO_DIR = Path(__file__).resolve().parent


def deploy_demo_processes(owner_username: str = "olivia") -> list[str]:
    """Deploy every demo model not deployed yet; return the definitions, e.g. 'Hiring v1'."""
    owner = User.objects.filter(username=owner_username).first()
    deployed = []
    for path in sorted(DEMO_DIR.glob("*.bpmn")):
        result = deploy(path.read_bytes(), name=path.name, user=owner)
        deployed += [str(d) for d in result.definitions]
    return deployed
