"""Jobs on PostgreSQL, handed over through Redis to real Celery worker processes."""


from django.db import transaction
from django.utils import timezone

from processes.jobs import queue
from processes.models import Job, WorkerHeartbeat
from tests.polling import wait_until


def sent_mail(workers):
    if not workers.mail_dir.exists():
        return ""
    return "".join(p.read_text() for p in sorted(workers.mail_dir.iterdir()))


def test_a_committed_job_runs_on_a_celery_worker(celery_workers):
    celery_workers.start("w1")
    with transaction.atomic():
        job = queue.schedule(
            "mail.send", {"to": ["emma@example.com"], "subject": "New task", "body": "Approve"}
        )
    assert wait_until(lambda: "Subject: New task" in sent_mail(celery_workers))
    assert wait_until(lambda: not Job.objects.filter(pk=job.pk).exists())


def test_a_job_whose_message_was_lost_is_found_by_the_dispatcher(celery_workers):
    # Written without ringing the doorbell, as if Redis had lost the message.
    Job.objects.create(
        kind="mail.send",
        payload={"to": ["max@example.com"], "subject": "Found anyway", "body": "x"},
        due_at=timezone.now(),
    )
    celery_workers.start("w1", beat=True)
    assert wait_until(lambda: "Subject: Found anyway" in sent_mail(celery_workers))
    assert WorkerHeartbeat.objects.filter(mode="celery").exists()


def test_a_failing_job_is_retried_then_kept_as_failed(celery_workers):
    celery_workers.env.update(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                              EMAIL_HOST="127.0.0.1", EMAIL_PORT="1", JOB_RETRY_BASE_SECONDS="1")
    celery_workers.start("w1", beat=True)
    with transaction.atomic():
        job = queue.schedule("mail.send", {"to": ["a@example.com"], "subject": "s", "body": "b"},
                             retries=2)
    assert wait_until(lambda: Job.objects.get(pk=job.pk).retries_left == 0)
    job.refresh_from_db()
    assert job.attempts == 2
    assert "Connection refused" in job.last_error or "Errno 111" in job.last_error
