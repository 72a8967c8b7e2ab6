"""Running and finished process instances, their history, tasks and incidents."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from processes.models.definitions import ProcessDefinition


class ProcessInstance(models.Model):
    """One run of a process definition.

    ``tokens`` holds only the live tokens (where the instance is now), never its history,
    so loading and saving an instance costs what it is doing, not what it has done.
    """

    class State(models.TextChoices):
        ACTIVE = "active"
        SUSPENDED = "suspended"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    # Indexes are few on purpose: each one costs every start. The composite indexes below
    # lead with the foreign keys, so those need no index of their own.
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="instances", db_index=False
    )
    business_key = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.ACTIVE)
    # Dates and decimals a script computes are stored as ISO text and strings.
    variables = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    tokens = models.JSONField(default=list, blank=True)
    # Completed activities of the process scope a compensation throw may still undo.
    compensable = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    next_seq = models.PositiveIntegerField(default=1)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change: clients can detect that they acted on a stale view.
    version = models.PositiveIntegerField(default=1)
    # The instance whose call activity (its token and element) started this one, if any.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        db_index=False,
    )
    parent_token_id = models.PositiveIntegerField(null=True, blank=True)
    parent_element_id = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["definition", "state"], name="instance_def_state_idx"),
            models.Index(fields=["state", "started_at"], name="instance_state_start_idx"),
            models.Index(fields=["business_key"], name="instance_bkey_idx"),
            # Only called instances are indexed: a start without a parent pays nothing.
            models.Index(fields=["parent", "parent_token_id"], name="instance_parent_idx",
                         condition=models.Q(parent__isnull=False)),
            # The KPIs' instances that ended in a window: only ended instances are indexed,
            # so a start pays nothing for it.
            models.Index(fields=["definition", "ended_at"], name="instance_def_end_idx",
                         condition=models.Q(ended_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.definition} #{self.pk}"


class ActivityInstance(models.Model):
    """Each time an element ran in an instance: one row from start to end.

    Waiting time, processing time, rework (the same element twice), heatmaps and the event
    log for process mining are all GROUP BYs over this table.
    """

    # No database-level constraints on these keys: every start writes about ten of these
    # rows and each constraint costs a check per row at commit (~17% of a start, measured).
    # The engine writes the rows with its instance's own keys in the same transaction, and
    # Django's on_delete rules still apply (they run in Python, not in the database).
    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="activities",
        db_index=False, db_constraint=False,
    )
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="+",
        db_index=False, db_constraint=False,
    )
    seq = models.PositiveIntegerField()
    scope_seq = models.PositiveIntegerField(null=True, blank=True)
    token_id = models.PositiveIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255)
    element_type = models.CharField(max_length=64)
    element_name = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    actor = models.CharField(max_length=150, blank=True)
    # Whether the step passed its quality gate (baton:qualityGate): first-pass yield.
    quality = models.BooleanField(null=True, blank=True)
    # The variables this activity set (a form, a script, a service's result; for the start
    # event, those the instance started with): the audit trail of the data.
    variables = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance", "seq"], name="activity_instance_seq")
        ]
        indexes = [
            models.Index(fields=["definition", "element_id", "ended_at"], name="activity_def_elem_idx"),
            # The KPIs' failed quality gates: only failures are indexed, few and cheap.
            models.Index(fields=["instance"], name="activity_failed_gate_idx",
                         condition=models.Q(quality=False)),
        ]

    def __str__(self):
        return f"{self.element_id} #{self.seq} of instance {self.instance_id}"


class Task(models.Model):
    """A user task waiting for, or done by, a person."""

    class State(models.TextChoices):
        OPEN = "open"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    class Delegation(models.TextChoices):
        PENDING = "pending"
        RESOLVED = "resolved"

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="+")
    token_id = models.PositiveIntegerField()
    activity_seq = models.PositiveIntegerField()
    element_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.OPEN)
    assignee = models.CharField(max_length=150, blank=True)
    owner = models.CharField(max_length=150, blank=True)
    priority = models.IntegerField(default=50)
    due_at = models.DateTimeField(null=True, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True)
    # As in Camunda: a delegated task is "pending" until the delegate (the assignee) resolves
    # it back to its owner, who may then complete it.
    delegation = models.CharField(max_length=8, choices=Delegation, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "assignee"], name="task_state_assignee_idx"),
            models.Index(fields=["state", "due_at"], name="task_state_due_idx"),
            models.Index(fields=["instance", "state"], name="task_instance_idx"),
        ]

    def __str__(self):
        return self.name or self.element_id


class TaskCandidate(models.Model):
    """A user or group a task is offered to; the inbox joins on (kind, name)."""

    class Kind(models.TextChoices):
        USER = "user"
        GROUP = "group"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="candidates")
    kind = models.CharField(max_length=5, choices=Kind)
    name = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["kind", "name"], name="task_candidate_idx")]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "name"], name="task_candidate_unique")
        ]


class Incident(models.Model):
    """A step that cannot go on without a person: a failing job or an uncaught error."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="incidents"
    )
    token_id = models.PositiveIntegerField()
    activity_seq = models.PositiveIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255)
    message = models.TextField()
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["instance", "resolved_at"], name="incident_open_idx")]

    def __str__(self):
        return f"{self.element_id}: {self.message[:60]}"


class EventSubscription(models.Model):
    """A token waiting for a message or a signal: deliveries look for it here."""

    class Kind(models.TextChoices):
        MESSAGE = "message"
        SIGNAL = "signal"

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="subscriptions"
    )
    token_id = models.PositiveIntegerField()
    element_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=Kind)
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "name"], name="subscription_name_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "token_id", "element_id", "kind", "name"],
                name="subscription_once",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.name!r} at {self.element_id} of instance {self.instance_id}"
