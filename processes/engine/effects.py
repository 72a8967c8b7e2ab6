"""What one command did, for the persistence layer to write, in the order it happened."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ActivityStarted:
    seq: int
    element_id: str
    element_type: str
    element_name: str | None
    scope_seq: int | None
    token_id: int
    started_at: datetime


@dataclass(frozen=True, slots=True)
class ActivityEnded:
    seq: int
    ended_at: datetime
    outcome: str  # "completed" | "cancelled" | "error" | "compensated" (re-ends a completed one)
    actor: str | None = None
    quality: bool | None = None  # passed its quality gate; None when it has none


@dataclass(frozen=True, slots=True)
class TaskCreated:
    token_id: int
    activity_seq: int
    element_id: str
    name: str | None
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int | None


@dataclass(frozen=True, slots=True)
class TaskClosed:
    token_id: int
    outcome: str  # "completed" | "cancelled"
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class JobScheduled:
    kind: str  # "service" | "external" | "timer" | "continue"
    token_id: int
    element_id: str
    due_at: datetime | None
    retries: int | None = None
    retry_delay_seconds: float | None = None
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JobCancelled:
    token_id: int
    element_id: str


@dataclass(frozen=True, slots=True)
class IncidentOpened:
    token_id: int
    activity_seq: int | None
    element_id: str
    message: str


@dataclass(frozen=True, slots=True)
class IncidentResolved:
    token_id: int


@dataclass(frozen=True, slots=True)
class VariablesChanged:
    changes: dict
    activity_seq: int | None = None  # the activity instance that set them


@dataclass(frozen=True, slots=True)
class InstanceEnded:
    outcome: str  # "completed" | "cancelled"
    ended_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionOpened:
    """A token waits for a message or signal ``name`` at ``element_id``."""

    kind: str  # "message" | "signal"
    name: str
    token_id: int
    element_id: str


@dataclass(frozen=True, slots=True)
class SubscriptionClosed:
    token_id: int
    element_id: str


@dataclass(frozen=True, slots=True)
class SignalThrown:
    """A signal for every other instance waiting for it (this one was served already)."""

    name: str
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessageSent:
    """A message for another instance of the same deployment, or one it starts."""

    name: str
    business_key: str | None = None
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EscalationUncaught:
    """An escalation no boundary or event subprocess caught: recorded, the flow goes on."""

    token_id: int
    activity_seq: int | None
    element_id: str
    code: str | None


@dataclass(frozen=True, slots=True)
class ErrorUncaught:
    """A BPMN error nothing in this instance caught; a calling instance may catch it."""

    token_id: int
    element_id: str
    code: str | None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ChildRequested:
    """A call activity starts an instance of process ``called_key`` and waits for it.

    ``binding`` picks the version: "latest", "deployment" (the caller's) or "version"
    (``version``). ``variables`` are those mapped in.
    """

    token_id: int
    element_id: str
    called_key: str
    binding: str
    version: int | None
    variables: dict
    business_key: str | None = None


@dataclass(frozen=True, slots=True)
class ChildCancelled:
    """The call activity at ``token_id`` ended early: the instance it called ends too."""

    token_id: int
    element_id: str
