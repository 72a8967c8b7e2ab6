"""Fill the database with months of history for the demo processes, for the dashboards.

Each instance is run by the engine's own core (``processes.engine``, which touches no
database) on a clock that jumps from one event to the next: people claim and finish tasks
after log-normal waits, services answer or fail, timers fall due, operators retry
incidents or cancel, customers withdraw. So the rows are those the engine writes: the
model's element ids, kinds and names, sequence numbers, variables, quality gates, tasks
with their candidates, incidents. Only the writing differs: rows go in by bulk_create, a
thousand instances per transaction, rather than one command at a time.

Instances start on working days over the last ``--days``; those still going at the end
stay running (a few suspended) with their jobs. Each process gets a second version, a copy
of its file with a comment added, deployed 60 % of the way through: on it people work
faster and services fail less, so there is something to compare. E-mails, webhooks and
overdue reminders of the tasks are not generated.
"""

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from heapq import heappop, heappush
from math import log
from random import Random

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from processes.demo import DEMO_DIR
from processes.deployments import deploy
from processes.engine import effects as fx
from processes.engine.errors import EngineError
from processes.engine.runtime import Engine
from processes.engine.state import InstanceState
from processes.instances import PARKED_UNTIL
from processes.models import (
    ActivityInstance,
    Deployment,
    Incident,
    Job,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
)
from processes.store.compiled import definitions_of

INSTANCES_PER_TRANSACTION = 1000
ROWS_PER_INSERT = 2000
SECOND_VERSION_AT = 0.6  # share of the days after which instances start on version 2
FASTER = 0.65  # version 2's people and services take this share of the time
FEWER_FAILURES = 0.5  # and its services fail this share as often
CLAIMED = 0.85  # tasks someone claims before completing them
SUSPENDED = 0.05  # running instances an operator has suspended
RETRIED = 0.75  # incidents an operator retries; the others they cancel
PEOPLE = {
    "Employees": ["emma", "ethan", "sofia", "liam", "noah", "mia"],
    "Managers": ["max", "nina"],
    "Administrators": ["ada"],
}
STARTERS = ["olivia", "emma", "ethan", "sofia"]
OPERATOR = "ada"


def lognormal(rng: Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(log(median), sigma)


@dataclass(frozen=True)
class Work:
    """A user task: median hours until someone takes it, minutes of work, the form sent."""

    wait_hours: float
    work_minutes: float
    form: Callable = lambda rng, variables, now, newer: {}


@dataclass(frozen=True)
class Service:
    """A service task: median seconds until it answers, how often it fails, what it returns."""

    seconds: float
    failure: float
    error: str
    result: Callable = lambda variables, now: {}


@dataclass(frozen=True)
class Demo:
    """How the people, services and customers of one demo process behave."""

    file: str
    share: float  # of the instances
    start: Callable  # (rng, number) -> (variables, business key)
    work: dict
    services: dict
    withdrawn: float  # share of instances cancelled by their requester
    withdrawn_after_hours: float  # median


def _invoice(rng, number):
    variables = {
        "vendor": rng.choice(["ACME", "Globex", "Initech", "Umbrella", "Stark", "Wayne"]),
        "invoice_number": f"INV-{number:06d}",
        "po_number": "" if rng.random() < 0.15 else f"PO-{rng.randrange(10**5):05d}",
        "amount": round(lognormal(rng, 2500, 1.1), 2),
    }
    return variables, variables["invoice_number"]


def _inquiry(rng, number):
    return {
        "customer": rng.choice(["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"]),
        "channel": rng.choice(["phone", "email", "chat"]),
        "category": rng.choices(["billing", "technical", "other"], [3, 5, 2])[0],
        "description": rng.choice(["Cannot log in", "Invoice too high", "App crashes"]),
    }, ""


def _application(rng, number):
    return {
        "candidate": f"Candidate {number}",
        "email": f"candidate{number}@example.com",
        "position": rng.choice(["engineer", "analyst", "support"]),
    }, ""


def _interview(rng, variables, now, newer):
    rating = rng.choices([1, 2, 3, 4, 5], [1, 2, 3, 3, 2])[0]
    return {"rating": rating, "hire": rating >= 4 and rng.random() < 0.75}


def _interview_day(rng, variables, now, newer):
    day = now + timedelta(days=lognormal(rng, 4, 0.5))
    hour = rng.randint(9, 16)
    return {"interview_at": day.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()}


DEMOS = {
    "accounts_payable": Demo(
        file="accounts_payable.bpmn", share=0.45, start=_invoice,
        work={
            "resolve_mismatch": Work(8, 20, lambda rng, v, now, newer: {
                "po_number": f"PO-{rng.randrange(10**5):05d}"}),
            "approve_invoice": Work(12, 10, lambda rng, v, now, newer: {
                "approved": rng.random() < (0.95 if newer else 0.9), "comment": ""}),
            "escalate_approval": Work(4, 10, lambda rng, v, now, newer: {
                "approved": rng.random() < 0.8}),
        },
        services={"pay_invoice": Service(
            3 * 3600, 0.03, "ConnectionError: the payment provider refused the transfer (HTTP 503)",
            lambda v, now: {"payment_reference": f"PAY-{v.get('invoice_number')}",
                            "paid_at": now.isoformat()},
        )},
        withdrawn=0.01, withdrawn_after_hours=24,
    ),
    "customer_service": Demo(
        file="customer_service.bpmn", share=0.35, start=_inquiry,
        work={
            "answer_billing": Work(3, 15, lambda rng, v, now, newer: {
                "resolution": "Explained the invoice."}),
            "resolve_issue": Work(5, 40, lambda rng, v, now, newer: {
                "resolution": "Fixed.", "resolved_first_time": rng.random() < (0.88 if newer else 0.8)}),
        },
        services={"send_follow_up": Service(
            3, 0.02, "SMTPServerDisconnected: the mail server closed the connection",
            lambda v, now: {"follow_up_sent_at": now.isoformat()},
        )},
        withdrawn=0.02, withdrawn_after_hours=4,
    ),
    "hiring": Demo(
        file="hiring.bpmn", share=0.2, start=_application,
        work={
            "screen_application": Work(20, 15, lambda rng, v, now, newer: {
                "passed_screening": rng.random() < 0.45}),
            "schedule_interview": Work(16, 10, _interview_day),
            "interview_candidate": Work(0.5, 60, _interview),
            "extend_offer": Work(30, 45, lambda rng, v, now, newer: {
                "salary": rng.randrange(45, 95) * 1000, "offer_accepted": rng.random() < 0.75}),
            "prepare_workstation": Work(48, 120),
        },
        services={
            "send_rejection": Service(3, 0.01, "SMTPServerDisconnected: the mail server "
                                      "closed the connection", lambda v, now: {"rejection_sent": True}),
            "create_accounts": Service(40, 0.05, "TimeoutError: the directory service did not "
                                       "answer", lambda v, now: {"accounts_created": ["email", "chat"]}),
        },
        withdrawn=0.05, withdrawn_after_hours=120,
    ),
}


class Clock:
    """The engine's clock: it reads the simulated time."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Story:
    """The rows of one simulated instance, as the engine's writer would have left them."""

    instance: ProcessInstance
    activities: dict = field(default_factory=dict)  # by seq
    tasks: dict = field(default_factory=dict)  # by activity seq
    candidates: list = field(default_factory=list)  # (activity seq, kind, name)
    claims: dict = field(default_factory=dict)  # activity seq -> (who, when), not yet made
    incidents: list = field(default_factory=list)
    jobs: dict = field(default_factory=dict)  # (token id, element id) -> Job, still pending
    failed_jobs: dict = field(default_factory=dict)  # token id -> Job that ran out of retries


class Simulation:
    """Run one instance through the engine, event by event, up to the horizon."""

    def __init__(self, engine: Engine, clock: Clock, demo: Demo, rng: Random, newer: bool):
        self.engine, self.clock, self.demo, self.rng, self.newer = engine, clock, demo, rng, newer
        self.speed = FASTER if newer else 1.0
        self.failures = FEWER_FAILURES if newer else 1.0

    def run(self, definition, started_at: datetime, number: int, horizon: datetime,
            starter_ids: dict) -> Story:
        variables, business_key = self.demo.start(self.rng, number)
        starter = self.rng.choice(STARTERS)
        self.clock.now = started_at
        self.agenda, self.serial, self.commands = [], 0, 0
        self.story = Story(ProcessInstance(
            definition=definition, business_key=business_key, started_at=started_at,
            started_by_id=starter_ids.get(starter),
        ))
        result = self.engine.start(variables, actor=starter, business_key=business_key or None)
        self.state = result.state
        self.record(result.effects)
        if self.rng.random() < self.demo.withdrawn:
            self.plan(lognormal(self.rng, self.demo.withdrawn_after_hours, 1) * 3600, "withdraw")
        while self.agenda and self.state.status == "active":
            if self.agenda[0][0] > horizon:
                break
            at, _, action, subject = heappop(self.agenda)
            self.clock.now = at
            self.happen(action, subject)
        return self.finish(horizon)

    def plan(self, seconds: float, action: str, subject=None) -> None:
        self.serial += 1
        at = self.clock.now + timedelta(seconds=seconds)
        heappush(self.agenda, (at, self.serial, action, subject))

    # What happens

    def happen(self, action: str, subject) -> None:
        command = getattr(self, action)(subject)
        if command is None:
            return
        try:
            result = command()
        except EngineError:  # the event no longer applies (its token moved on)
            return
        self.commands += 1
        # Between commands the engine's state lives as JSON in the instance row.
        data = json.loads(json.dumps(result.state.to_json(), cls=DjangoJSONEncoder))
        self.state = InstanceState.from_json({**data, "business_key": self.state.business_key})
        self.record(result.effects)

    def complete(self, seq):
        task = self.story.tasks.get(seq)
        if task is None or task.state != Task.State.OPEN:
            return None
        work = self.demo.work.get(task.element_id, Work(1, 10))
        variables = work.form(self.rng, self.state.variables, self.clock.now, self.newer)
        worker = task.assignee or self.story.claims.get(seq, (self.worker(seq),))[0]
        return lambda: self.engine.complete_task(self.state, task.token_id, variables, actor=worker)

    def job(self, subject):
        key, job = subject
        if self.story.jobs.get(key) is not job:  # cancelled, or replaced by a newer one
            return None
        del self.story.jobs[key]
        token_id, element_id = key
        if job.kind == "engine.timer":
            occurrence = ((datetime.fromisoformat(job.payload["due"]), job.payload["fired"])
                          if "due" in job.payload else None)
            return lambda: self.engine.trigger(self.state, token_id, element_id,
                                               occurrence=occurrence, trigger=("timer", None))
        if job.kind == "engine.continue":
            return lambda: self.engine.continue_token(self.state, token_id)
        service = self.demo.services.get(element_id, Service(2, 0, ""))
        if self.rng.random() < service.failure * self.failures:
            job.retries_left, job.attempts, job.last_error = 0, job.retries_left, service.error
            self.story.failed_jobs[token_id] = job
            return lambda: self.engine.open_incident(self.state, token_id, service.error)
        result = service.result(self.state.variables, self.clock.now)
        return lambda: self.engine.complete_job(self.state, token_id, result)

    def operator(self, token_id):
        if not any(i.token_id == token_id and i.resolved_at is None for i in self.story.incidents):
            return None
        if self.rng.random() < RETRIED:
            self.story.failed_jobs.pop(token_id, None)
            return lambda: self.engine.retry(self.state, token_id)
        return lambda: self.engine.cancel(self.state, actor=OPERATOR)

    def withdraw(self, subject):
        return lambda: self.engine.cancel(self.state, actor=self.rng.choice(PEOPLE["Employees"]))

    # What the engine said: the rows it would write (processes.store.apply._Writer)

    def record(self, effects) -> None:
        started, changed = set(), defaultdict(dict)
        for effect in effects:
            match effect:
                case fx.ActivityStarted():
                    self.started(effect)
                    started.add(effect.seq)
                case fx.ActivityEnded():
                    self.ended(effect)
                case fx.VariablesChanged(activity_seq=seq) if seq is not None:
                    changed[seq].update(effect.changes)
                case fx.TaskCreated():
                    self.task_created(effect)
                case fx.TaskClosed():
                    self.task_closed(effect)
                case fx.JobScheduled():
                    self.job_scheduled(effect)
                case fx.JobCancelled():
                    self.story.jobs.pop((effect.token_id, effect.element_id), None)
                case fx.IncidentOpened():
                    self.incident_opened(effect)
                case fx.IncidentResolved():
                    for incident in self.story.incidents:
                        if incident.token_id == effect.token_id and incident.resolved_at is None:
                            incident.resolved_at = self.clock.now
                case fx.InstanceEnded():
                    self.story.instance.state = effect.outcome
                    self.story.instance.ended_at = effect.ended_at
        for seq, changes in changed.items():
            row = self.story.activities[seq]
            # Rows started by this command get the changes with them; older rows are
            # updated with this command's changes (processes.store.rows.record_variables).
            row.variables = {**(row.variables or {}), **changes} if seq in started else changes

    def started(self, effect) -> None:
        self.story.activities[effect.seq] = ActivityInstance(
            definition_id=self.story.instance.definition_id, seq=effect.seq,
            scope_seq=effect.scope_seq, token_id=effect.token_id, element_id=effect.element_id,
            element_type=effect.element_type, element_name=effect.element_name or "",
            started_at=effect.started_at,
        )

    def ended(self, effect) -> None:
        row = self.story.activities[effect.seq]
        row.ended_at, row.outcome = effect.ended_at, effect.outcome
        if effect.actor:
            row.actor = effect.actor
        if effect.quality is not None:
            row.quality = effect.quality

    def task_created(self, effect) -> None:
        self.story.tasks[effect.activity_seq] = Task(
            definition_id=self.story.instance.definition_id, token_id=effect.token_id,
            activity_seq=effect.activity_seq, element_id=effect.element_id,
            name=effect.name or "", assignee=effect.assignee or "",
            priority=effect.priority if effect.priority is not None else 50,
            due_at=effect.due_at, follow_up_at=effect.follow_up_at, created_at=self.clock.now,
        )
        self.story.candidates += [(effect.activity_seq, "user", n) for n in effect.candidate_users]
        self.story.candidates += [(effect.activity_seq, "group", n) for n in effect.candidate_groups]
        work = self.demo.work.get(effect.element_id, Work(1, 10))
        wait = lognormal(self.rng, work.wait_hours * self.speed, 1.3) * 3600
        busy = lognormal(self.rng, work.work_minutes * self.speed, 0.7) * 60
        if self.rng.random() < CLAIMED:
            claim_at = self.clock.now + timedelta(seconds=wait)
            self.story.claims[effect.activity_seq] = (self.worker(effect.activity_seq), claim_at)
        self.plan(wait + busy, "complete", effect.activity_seq)

    def task_closed(self, effect) -> None:
        for seq, task in self.story.tasks.items():
            if task.token_id == effect.token_id and task.state == Task.State.OPEN:
                self.claim(seq, self.clock.now)
                task.state, task.completed_at = effect.outcome, self.clock.now
                task.completed_by = effect.actor or ""

    def claim(self, seq: int, until: datetime) -> None:
        """Record the claim of a task if it came before ``until`` (its end, or the horizon)."""
        worker, claimed_at = self.story.claims.pop(seq, (None, None))
        if claimed_at is not None and claimed_at <= until:
            task = self.story.tasks[seq]
            task.assignee, task.claimed_at = task.assignee or worker, claimed_at

    def worker(self, seq) -> str:
        """Someone the task is offered to: a named candidate, or one of a group."""
        offered = [(kind, name) for s, kind, name in self.story.candidates if s == seq]
        users = [name for kind, name in offered if kind == "user"]
        groups = [name for kind, name in offered if kind == "group"]
        people = users or [p for g in groups for p in PEOPLE.get(g, [])] or PEOPLE["Employees"]
        return self.rng.choice(people)

    def job_scheduled(self, effect) -> None:
        payload = dict(effect.payload or {})
        if effect.retry_delay_seconds is not None:
            payload["retry_delay_seconds"] = effect.retry_delay_seconds
        due = effect.due_at or self.clock.now
        job = Job(
            kind=f"engine.{effect.kind}", payload=payload, due_at=due, token_id=effect.token_id,
            element_id=effect.element_id, topic=payload.get("topic") or "", created_at=self.clock.now,
            retries_left=effect.retries if effect.retries is not None else settings.JOB_DEFAULT_RETRIES,
        )
        key = (effect.token_id, effect.element_id)
        self.story.jobs[key] = job
        if effect.kind == "timer":
            seconds = (due - self.clock.now).total_seconds()
        else:
            service = self.demo.services.get(effect.element_id, Service(2, 0, ""))
            seconds = lognormal(self.rng, service.seconds * self.speed, 1.0)
        self.plan(max(seconds, 0), "job", (key, job))

    def incident_opened(self, effect) -> None:
        self.story.incidents.append(Incident(
            token_id=effect.token_id, activity_seq=effect.activity_seq,
            element_id=effect.element_id, message=effect.message, created_at=self.clock.now,
        ))
        self.plan(lognormal(self.rng, 3, 1.0) * 3600, "operator", effect.token_id)

    # The instance as it stands at the end

    def finish(self, horizon: datetime) -> Story:
        instance, state = self.story.instance, self.state
        data = state.to_json()
        instance.variables, instance.tokens = data["variables"], data["tokens"]
        instance.compensable, instance.next_seq = data["compensable"], data["next_seq"]
        instance.version = 1 + self.commands
        if instance.state == ProcessInstance.State.ACTIVE:
            self.still_running(horizon)
        else:
            self.story.jobs.clear()
            self.story.failed_jobs.clear()
        return self.story

    def still_running(self, horizon: datetime) -> None:
        for seq in list(self.story.claims):
            self.claim(seq, horizon)
        if self.rng.random() < SUSPENDED:
            self.story.instance.state = ProcessInstance.State.SUSPENDED
            for job in [*self.story.jobs.values(), *self.story.failed_jobs.values()]:
                job.payload["parked_due_at"] = job.due_at.isoformat()
                job.due_at = PARKED_UNTIL


class Command(BaseCommand):
    help = (
        "Fill the database with months of realistic history for the demo processes "
        "(finished and running instances, two versions each), for the KPI dashboards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instances", type=int, required=True, help="how many instances")
        parser.add_argument("--seed", type=int, default=1, help="for the same history again")
        parser.add_argument("--processes", default=",".join(DEMOS),
                            help=f"comma-separated demo process keys (default: {','.join(DEMOS)})")
        parser.add_argument("--days", type=int, default=180, help="how far back it starts")
        parser.add_argument("--force", action="store_true",
                            help="run with DEBUG off (it adds made-up instances to the KPIs)")

    def handle(self, *args, instances, seed, processes, days, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError("Made-up history would mix with real KPIs: refusing with DEBUG "
                               "off (use --force for a demo or benchmark database).")
        keys = [key.strip() for key in processes.split(",") if key.strip()]
        unknown = sorted(set(keys) - set(DEMOS))
        if unknown or not keys:
            raise CommandError(f"Unknown demo process(es): {', '.join(unknown) or 'none given'}; "
                               f"choose from {', '.join(DEMOS)}.")
        if instances < 1 or days < 1:
            raise CommandError("--instances and --days must be at least 1.")
        began = time.perf_counter()
        generator = Generator(keys, Random(seed), days)
        for done, rows in generator.generate(instances):
            self.stdout.write(f"{done:,} instances, {rows:,} activity rows "
                              f"({time.perf_counter() - began:.0f} s)")
        self.stdout.write(self.style.SUCCESS(
            f"{generator.summary()} in {time.perf_counter() - began:.0f} s."
        ))


class Generator:
    """Simulate instances of some demo processes and write them, batch by batch."""

    def __init__(self, keys: list[str], rng: Random, days: int):
        self.rng, self.horizon = rng, timezone.now()
        self.first = self.horizon - timedelta(days=days)
        self.switch = self.first + (self.horizon - self.first) * SECOND_VERSION_AT
        self.keys = keys
        self.versions = {key: self.two_versions(key) for key in keys}
        self.clock = Clock()
        self.starters = dict(User.objects.filter(username__in=STARTERS).values_list("username", "pk"))
        self.counts = defaultdict(int)

    def two_versions(self, key: str) -> tuple[ProcessDefinition, ProcessDefinition]:
        """The newest two versions of a demo process, deploying it and its copy if missing."""
        demo = DEMOS[key]
        data = (DEMO_DIR / demo.file).read_bytes()
        if not ProcessDefinition.objects.filter(key=key).exists():
            deploy(data, name=demo.file)
        if ProcessDefinition.objects.filter(key=key).count() == 1:
            copy = data.replace(b"</definitions>",
                                b"  <!-- Version 2, deployed by generate_history. -->\n</definitions>")
            newer = deploy(copy, name=demo.file).deployment
            Deployment.objects.filter(pk=newer.pk).update(deployed_at=self.switch)
        newer, older = ProcessDefinition.objects.filter(key=key).order_by("-version")[:2]
        Deployment.objects.filter(pk=older.deployment_id, deployed_at__gt=self.first).update(
            deployed_at=self.first - timedelta(days=1))
        return older, newer

    def generate(self, count: int):
        """Write ``count`` instances; yield (instances, activity rows) written so far."""
        starts = self.start_times(count)
        rows = 0
        for first in range(0, count, INSTANCES_PER_TRANSACTION):
            stories = [self.simulate(moment, first + n + 1)
                       for n, moment in enumerate(starts[first:first + INSTANCES_PER_TRANSACTION])]
            rows += write(stories)
            for story in stories:
                self.counts[story.instance.state] += 1
            done = min(first + INSTANCES_PER_TRANSACTION, count)
            if done % 10_000 == 0 or done == count:
                yield done, rows

    def start_times(self, count: int) -> list[datetime]:
        """Moments on working days (weekends have a few), around midday, in order."""
        days = [self.first + timedelta(days=n) for n in range((self.horizon - self.first).days + 1)]
        weights = [0.15 if day.weekday() >= 5 else 1 for day in days]
        moments = []
        for day in self.rng.choices(days, weights, k=count):
            hours = min(max(self.rng.gauss(12.5, 2.8), 7), 19)
            moment = day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hours)
            moments.append(min(moment, self.horizon - timedelta(minutes=self.rng.random() * 60)))
        return sorted(moments)

    def simulate(self, started_at: datetime, number: int) -> Story:
        key = self.rng.choices(self.keys, [DEMOS[k].share for k in self.keys])[0]
        older, newer = self.versions[key]
        definition = newer if started_at >= self.switch else older
        definitions = definitions_of(definition.deployment_id)
        engine = Engine(definitions.processes[key], clock=self.clock, definitions=definitions)
        simulation = Simulation(engine, self.clock, DEMOS[key], self.rng, definition is newer)
        return simulation.run(definition, started_at, number, self.horizon, self.starters)

    def summary(self) -> str:
        counts = self.counts
        return (f"{sum(counts.values()):,} instances of {', '.join(self.keys)}: "
                f"{counts['completed']:,} completed, {counts['cancelled']:,} cancelled, "
                f"{counts['active']:,} active, {counts['suspended']:,} suspended")


@transaction.atomic
def write(stories: list[Story]) -> int:
    """Insert the rows of the stories; return how many activity rows that was."""
    ProcessInstance.objects.bulk_create([s.instance for s in stories], batch_size=ROWS_PER_INSERT)
    activities, tasks, candidates, incidents, jobs = [], [], [], [], []
    for story in stories:
        for row in [*story.activities.values(), *story.tasks.values(), *story.incidents,
                    *story.jobs.values(), *story.failed_jobs.values()]:
            row.instance = story.instance
        activities += story.activities.values()
        tasks += story.tasks.values()
        incidents += story.incidents
        jobs += [*story.jobs.values(), *story.failed_jobs.values()]
    ActivityInstance.objects.bulk_create(activities, batch_size=ROWS_PER_INSERT)
    Task.objects.bulk_create(tasks, batch_size=ROWS_PER_INSERT)
    for story in stories:
        candidates += [TaskCandidate(task=story.tasks[seq], kind=kind, name=name)
                       for seq, kind, name in story.candidates]
    TaskCandidate.objects.bulk_create(candidates, batch_size=ROWS_PER_INSERT)
    Incident.objects.bulk_create(incidents, batch_size=ROWS_PER_INSERT)
    Job.objects.bulk_create(jobs, batch_size=ROWS_PER_INSERT)
    return len(activities)
