"""The job queue in embedded mode: the same executor and dispatcher Celery runs."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from processes.jobs import dispatcher, executor, queue
from processes.jobs.embedded import EmbeddedWorker
from processes.jobs.registry import UnknownJobKind, get_handler, register
from processes.models import Job, WorkerHeartbeat
from tests.polling import wait_until

calls = []
exhausted = []


def record(job, performed):
    calls.append(job.payload["n"])


def explode(job, performed):
    Job.objects.create(kind="test.side-effect")  # must roll back with the failure
    raise RuntimeError(f"boom {job.payload.get('n')}")


register("test.record", commit=record)
register("test.explode", commit=explode,
         on_exhausted=lambda job, error: exhausted.append((job.pk, error)))


@pytest.fixture(autouse=True)
def no_broker(settings):
    """These tests exercise the embedded doorbell even when the suite runs with Redis."""
    settings.CELERY_BROKER_URL = ""
    calls.clear()
    exhausted.clear()


@pytest.fixture
def worker(transactional_db):
    w = EmbeddedWorker()
    w.start()
    yield w
    w.stop()
    w.join(timeout=10)


def lease(job, token="t0k", seconds=60):
    Job.objects.filter(pk=job.pk).update(
        lock_token=token, locked_until=timezone.now() + timedelta(seconds=seconds)
    )


def test_it_runs_a_job_after_the_transaction_commits(worker):
    with transaction.atomic():
        job = queue.schedule("test.record", {"n": 1})
        time.sleep(0.3)
        assert calls == [], "a job must not run before its transaction commits"
    assert wait_until(lambda: calls == [1])
    assert wait_until(lambda: not Job.objects.filter(pk=job.pk).exists())


def test_a_rolled_back_transaction_leaves_no_job(worker):
    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            queue.schedule("test.record", {"n": 2})
            1 / 0
    time.sleep(0.8)
    assert calls == []
    assert not Job.objects.exists()


def test_the_worker_sends_email_jobs(worker):
    queue.schedule("mail.send", {"to": ["emma@example.com"], "subject": "Hi", "body": "Task"})
    assert wait_until(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["emma@example.com"]


def test_a_timer_job_waits_until_it_is_due(worker):
    due = timezone.now() + timedelta(seconds=1.2)
    queue.schedule("test.record", {"n": 3}, due_at=due)
    time.sleep(0.6)
    assert calls == []
    assert wait_until(lambda: calls == [3], timeout=5)
    assert timezone.now() >= due


def test_the_dispatcher_records_a_heartbeat(worker):
    assert wait_until(lambda: WorkerHeartbeat.objects.filter(worker=worker.worker).exists())


@pytest.mark.django_db
def test_a_failed_attempt_rolls_back_and_is_retried_with_backoff(settings):
    settings.JOB_RETRY_BASE_SECONDS = 10
    job = queue.schedule("test.explode", {"n": 1}, retries=3)
    lease(job)
    before = timezone.now()
    assert executor.run_job(job.pk, "t0k", "w1") == "failed"
    job.refresh_from_db()
    assert job.retries_left == 2
    assert job.attempts == 1
    assert "RuntimeError: boom 1" in job.last_error
    assert job.lock_token == "" and job.locked_until is None
    assert before + timedelta(seconds=9) <= job.due_at <= timezone.now() + timedelta(seconds=11)
    assert not Job.objects.filter(kind="test.side-effect").exists()

    Job.objects.filter(pk=job.pk).update(due_at=timezone.now())
    lease(job)
    executor.run_job(job.pk, "t0k", "w1")
    job.refresh_from_db()
    assert job.due_at >= timezone.now() + timedelta(seconds=19), "backoff doubles"


@pytest.mark.django_db
def test_a_fixed_retry_delay_overrides_the_backoff():
    job = queue.schedule("test.explode", {"retry_delay_seconds": 3}, retries=2)
    lease(job)
    executor.run_job(job.pk, "t0k", "w1")
    job.refresh_from_db()
    assert job.due_at <= timezone.now() + timedelta(seconds=3.5)


@pytest.mark.django_db
def test_when_retries_run_out_the_handler_is_told_and_the_job_is_kept():
    job = queue.schedule("test.explode", {"n": 9}, retries=1)
    lease(job)
    assert executor.run_job(job.pk, "t0k", "w1") == "failed"
    assert exhausted == [(job.pk, "RuntimeError: boom 9")]
    assert list(Job.objects.failed()) == [job]
    assert not Job.objects.runnable(timezone.now() + timedelta(days=1)).exists()


@pytest.mark.django_db
def test_only_the_lease_holder_runs_a_job():
    job = queue.schedule("test.record", {"n": 4})
    lease(job, token="theirs")
    assert executor.run_job(job.pk, "mine", "w1") == "skipped"
    assert calls == []
    assert executor.run_job(job.pk, "theirs", "w2") == "done"
    assert calls == [4]


@pytest.mark.django_db
def test_an_expired_lease_is_not_honoured_and_the_dispatcher_takes_the_job_over():
    job = queue.schedule("test.record", {"n": 5})
    lease(job, token="dead-worker", seconds=-1)
    assert executor.run_job(job.pk, "dead-worker", "w1") == "skipped"
    assert dispatcher.dispatch("w2", "test", 10) == 1
    job.refresh_from_db()
    assert job.lock_token not in ("", "dead-worker")
    assert executor.run_job(job.pk, job.lock_token, "w2") == "done"
    assert calls == [5]


@pytest.mark.django_db
def test_the_dispatcher_leaves_live_leases_and_future_jobs_alone():
    running = queue.schedule("test.record", {"n": 6})
    lease(running)
    queue.schedule("test.record", {"n": 7}, due_at=timezone.now() + timedelta(hours=1))
    assert dispatcher.dispatch("w", "test", 10) == 0


@pytest.mark.django_db
def test_a_job_taken_over_during_its_outside_call_does_not_commit():
    committed = []

    def slow_call(job):
        # Meanwhile the lease expired and the dispatcher gave the job to another worker.
        Job.objects.filter(pk=job.pk).update(lock_token="taken-over")

    register("test.slow", perform=slow_call, commit=lambda job, performed: committed.append(job.pk))

    job = queue.schedule("test.slow")
    lease(job)
    assert executor.run_job(job.pk, "t0k", "w1") == "lost"
    assert committed == [], "the new lease holder commits, not this worker"
    assert Job.objects.filter(pk=job.pk, lock_token="taken-over").exists()


@pytest.mark.django_db
def test_a_job_whose_commit_fails_is_kept_with_nothing_it_did():
    def half_done(job, performed):
        Job.objects.create(kind="test.side-effect")
        raise RuntimeError("the commit failed half way")

    register("test.half-done", commit=half_done)
    job = queue.schedule("test.half-done")
    lease(job)
    assert executor.run_job(job.pk, "t0k", "w1") == "failed"
    assert not Job.objects.filter(kind="test.side-effect").exists()
    assert Job.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db
def test_the_outside_call_runs_before_and_its_result_reaches_the_commit():
    seen = []
    register("test.two-phase", perform=lambda job: job.payload["n"] * 10,
             commit=lambda job, performed: seen.append(performed))
    job = queue.schedule("test.two-phase", {"n": 4})
    lease(job)
    assert executor.run_job(job.pk, "t0k", "w1") == "done"
    assert seen == [40]


@pytest.mark.django_db
def test_a_failing_outside_call_counts_as_a_failed_attempt():
    def refuse(job):
        raise ConnectionRefusedError("remote system down")

    register("test.down", perform=refuse, commit=lambda job, performed: calls.append("x"))
    job = queue.schedule("test.down", retries=2)
    lease(job)
    assert executor.run_job(job.pk, "t0k", "w1") == "failed"
    job.refresh_from_db()
    assert "remote system down" in job.last_error and calls == []


def test_an_unknown_kind_is_a_clear_error():
    with pytest.raises(UnknownJobKind, match="no handler is registered for job kind 'nope'"):
        get_handler("nope")
