"""Alerts: the owners of a process hear once when it goes wrong, and again when it recovers.

Every process is checked periodically (``metrics.jobs``) for three kinds of condition:

- ``signal``: a Nelson rule signals on its cycle-time chart or its daily error-rate or
  quality-rate chart over the last ALERT_BASELINE_DAYS, with the signal's last point at
  most ALERT_RECENT_DAYS old (so an isolated outlier is an episode of that length, however
  often the check runs); one condition per chart and rule;
- ``sla``: of the instances whose SLA deadline (start + the version's ``baton:sla``) fell in
  the last ALERT_RECENT_DAYS, less than ALERT_SLA_TARGET_PERCENT completed by it. Each
  instance is judged at its deadline, so one still running is late, not forgotten; one
  cancelled before it is not judged;
- ``incidents``: ALERT_OPEN_INCIDENTS or more incidents of the process are open.

An episode is one ``Alert``: opened when its condition first holds (the process owners get
one e-mail, webhook subscribers an ``alert.raised`` event), seen again at each check while
it holds (nothing is sent), closed when a check finds it gone (``alert.resolved``). The
same condition later opens a new episode.

The process owners are the people who deployed one of the process's versions and may
still deploy; if none of them can (deployed by a script, or they left), everyone who holds
the ``deploy_processes`` capability. Deploying is what owning a process means here: no
other tie between people and processes exists.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import isodate
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import capability
from metrics.control import Signal, cycle_time_chart, error_rate_chart, quality_rate_chart
from metrics.models import Alert
from processes.jobs.queue import schedule
from processes.models import Deployment, Incident, ProcessDefinition, ProcessInstance
from processes.store.compiled import process_for
from webhooks import events

logger = logging.getLogger(__name__)

COMPLETED = ProcessInstance.State.COMPLETED
CANCELLED = ProcessInstance.State.CANCELLED


@dataclass(frozen=True)
class ProcessAlerts:
    """What the dashboard shows of a process's alerts; alerts newest first."""

    open: list[Alert]
    closed: list[Alert]  # closed within the last ALERT_RECENT_DAYS
    signals: list[Signal]  # recent Nelson signals, latest first


def process_alerts(key: str, *, now: datetime | None = None) -> ProcessAlerts:
    """Return the open alerts of process ``key``, those recently closed and recent signals."""
    now = now or timezone.now()
    alerts = Alert.objects.filter(definition_key=key)
    return ProcessAlerts(
        open=list(alerts.filter(closed_at__isnull=True)),
        closed=list(alerts.filter(closed_at__gte=now - _recent())),
        signals=recent_signals(key, now=now),
    )


def recent_signals(key: str, *, now: datetime | None = None) -> list[Signal]:
    """Return the signals of process ``key`` that alerts count, the latest first."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.ALERT_BASELINE_DAYS)
    charts = [
        cycle_time_chart(key, since=since),
        error_rate_chart(key, since=since, period="day"),
        quality_rate_chart(key, since=since, period="day"),
    ]
    found = [s for chart in charts for s in chart.signals if s.ends_at >= now - _recent()]
    return sorted(found, key=lambda s: s.ends_at, reverse=True)


def keys_to_check() -> list[str]:
    """Return the processes to check: those that can run, and those with an open alert."""
    runnable = ProcessDefinition.objects.filter(is_executable=True).values_list("key", flat=True)
    alerted = Alert.objects.filter(closed_at__isnull=True).values_list("definition_key", flat=True)
    return sorted(set(runnable) | set(alerted))


def evaluate(key: str, now: datetime) -> dict[tuple[str, str], dict]:
    """Return the conditions holding for process ``key``: (kind, condition) → details."""
    found = {}
    for signal in reversed(recent_signals(key, now=now)):  # the latest of a rule wins
        found[(Alert.Kind.SIGNAL, f"{signal.chart}:{signal.rule}")] = _signal_details(signal)
    found.update(_sla_breached(key, now))
    found.update(_incidents_piling_up(key))
    return found


@transaction.atomic
def record(key: str, found: dict[tuple[str, str], dict], now: datetime) -> None:
    """Open, refresh and close the alerts of process ``key`` to match ``found``."""
    open_alerts = {
        (alert.kind, alert.condition): alert
        for alert in Alert.objects.select_for_update().filter(definition_key=key, closed_at__isnull=True)
    }
    for (kind, condition), details in found.items():
        alert = open_alerts.pop((kind, condition), None)
        if alert is None:
            _raise(key, kind, condition, details, now)
        else:
            alert.last_seen_at, alert.details = now, details
            alert.save(update_fields=["last_seen_at", "details"])
    for alert in open_alerts.values():
        alert.closed_at = now
        alert.save(update_fields=["closed_at"])
        events.alert_resolved(alert)


def process_owners(key: str):
    """Return the active users told about the alerts of process ``key`` (see above)."""
    deployers = get_user_model().objects.with_perm(capability("deploy_processes"))
    deployed = Deployment.objects.filter(definitions__key=key).values("deployed_by")
    owners = deployers.filter(pk__in=deployed)
    return owners if owners.exists() else deployers


def _recent() -> timedelta:
    return timedelta(days=settings.ALERT_RECENT_DAYS)


def _signal_details(signal: Signal) -> dict:
    return {
        "description": signal.description, "chart": signal.chart, "rule": signal.rule,
        "version": signal.version, "instance_ids": list(signal.instance_ids),
        "dates": list(signal.dates), "ends_at": signal.ends_at,
    }


def _sla_breached(key: str, now: datetime) -> dict:
    target = settings.ALERT_SLA_TARGET_PERCENT
    judged = met = 0
    slas = []
    for definition in ProcessDefinition.objects.filter(key=key, is_executable=True):
        sla = _sla(definition, now)
        if sla is None:
            continue
        counts = _deadlines_met(definition, sla, now)
        judged, met = judged + counts["judged"], met + counts["met"]
        slas.append(process_for(definition).properties.sla)
    if not target or not judged or 100 * met / judged >= target:
        return {}
    compliance = round(100 * met / judged, 1)
    return {(Alert.Kind.SLA, ""): {
        "description": f"{compliance:g}% of instances met their SLA ({met} of {judged} in "
                       f"{settings.ALERT_RECENT_DAYS} days), below the {target}% target",
        "compliance": compliance, "target": target, "met": met, "judged": judged,
        "slas": sorted(set(slas)),
    }}


def _sla(definition, now: datetime) -> timedelta | None:
    """Return the version's SLA as a timedelta (months counted from now), or None."""
    text = process_for(definition).properties.sla
    if not text:
        return None
    try:
        duration = isodate.parse_duration(text.strip().upper())
    except (isodate.ISO8601Error, ValueError):
        logger.warning("%s: the SLA %r is not an ISO 8601 duration", definition, text)
        return None
    return duration.totimedelta(start=now) if isinstance(duration, isodate.Duration) else duration


def _deadlines_met(definition, sla: timedelta, now: datetime) -> dict:
    deadline = ExpressionWrapper(F("started_at") + sla, output_field=DateTimeField())
    instances = (
        ProcessInstance.objects.filter(definition=definition)
        .filter(started_at__gte=now - _recent() - sla, started_at__lt=now - sla)
        .annotate(deadline=deadline)
        .exclude(state=CANCELLED, ended_at__lte=F("deadline"))
    )
    return instances.aggregate(
        judged=Count("pk"), met=Count("pk", filter=Q(state=COMPLETED, ended_at__lte=F("deadline")))
    )


def _incidents_piling_up(key: str) -> dict:
    threshold = settings.ALERT_OPEN_INCIDENTS
    count = Incident.objects.filter(
        instance__definition__key=key, resolved_at__isnull=True
    ).count()
    if not threshold or count < threshold:
        return {}
    return {(Alert.Kind.INCIDENTS, ""): {
        "description": f"{count} open incidents (the threshold is {threshold})",
        "open_incidents": count, "threshold": threshold,
    }}


def _raise(key: str, kind: str, condition: str, details: dict, now: datetime) -> Alert:
    alert = Alert.objects.create(
        definition_key=key, kind=kind, condition=condition, opened_at=now, last_seen_at=now,
        details=details,
    )
    _mail_owners(alert)
    events.alert_raised(alert)
    return alert


def _mail_owners(alert: Alert) -> None:
    """Write one "mail.send" job per owner, so no one sees the others' address."""
    definition = ProcessDefinition.objects.filter(key=alert.definition_key).first()
    name = definition.display_name if definition else alert.definition_key
    subject = f"Alert on {name}: {alert.description}"
    link = settings.SITE_URL + reverse("definition-detail", args=[alert.definition_key])
    body = (
        f"{alert.description}.\n\nProcess: {name} ({alert.definition_key})\n"
        f"Since: {alert.opened_at:%Y-%m-%d %H:%M %Z}\nOpen it: {link}\n\n"
        "You will not be told again while this lasts; the alert closes by itself when it ends."
    )
    owners = process_owners(alert.definition_key).exclude(email="").order_by("username")
    for address in owners.values_list("email", flat=True):
        schedule("mail.send", {"subject": subject, "body": body, "to": [address]})
