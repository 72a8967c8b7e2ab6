"""The "webhook.deliver" job: POST a delivery, log the attempt, retry later or give up.

The POST is the job's ``perform`` phase, outside any transaction, with a short timeout and
without following redirects: a redirect could send the server to an address the URL check
refuses. What came of it is written in the ``commit`` phase, in the transaction that
deletes the job: the attempt, the delivery's state, the next try (a new job, after a
growing delay), and the subscription's count of deliveries failed in a row, which pauses
it at ``WEBHOOKS_PAUSE_AFTER_FAILURES``.
"""

import http.client
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from processes.connectors.http import check_url
from processes.jobs.queue import schedule
from processes.jobs.registry import register
from webhooks.models import PING, Attempt, Delivery, Subscription
from webhooks.signing import signed_headers

DELIVER = "webhook.deliver"
# Seconds before the second, third… attempt; past the end, the last delay repeats.
RETRY_DELAYS = (30, 120, 600, 3600, 6 * 3600)
EXCERPT_BYTES = 1000
NOT_SENT = "not sent"  # what ``send`` returns for a delivery of a paused subscription


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx is the answer: a failed attempt


_opener = urllib.request.build_opener(_NoRedirects)


def send(job):
    """POST the job's delivery; return the attempt (unsaved), ``NOT_SENT`` or None if gone."""
    delivery = (
        Delivery.objects.select_related("subscription")
        .filter(pk=job.payload["delivery"], state=Delivery.State.PENDING).first()
    )
    if delivery is None:
        return None
    if not delivery.subscription.active and delivery.event != PING:
        return NOT_SENT
    return post(delivery, number=delivery.attempts.count() + 1)


def post(delivery: Delivery, number: int) -> Attempt:
    """POST ``delivery`` once, signed; return what happened as an unsaved ``Attempt``."""
    body = delivery.body()
    headers = signed_headers(delivery, str(int(time.time())), body)
    attempt = Attempt(delivery=delivery, number=number, started_at=timezone.now())
    started = time.monotonic()
    try:
        check_url(delivery.subscription.url)
        request = urllib.request.Request(delivery.subscription.url, body, headers, method="POST")
        with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS) as answer:
            attempt.status_code, attempt.response = answer.status, _excerpt(answer)
    except urllib.error.HTTPError as answer:
        attempt.status_code, attempt.response = answer.code, _excerpt(answer)
    except (OSError, ValueError, http.client.HTTPException) as error:
        attempt.error = str(getattr(error, "reason", None) or error) or type(error).__name__
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    if attempt.status_code is not None and not attempt.succeeded:
        attempt.error = f"The receiver answered {attempt.status_code}."
    return attempt


def record(job, performed) -> None:
    """Write what came of the attempt, and schedule the next one if it failed."""
    if performed is None:
        # Delivered or given up already; or an orphan, whose subscription was deleted while
        # its event was being recorded: dropped.
        Delivery.objects.filter(pk=job.payload["delivery"], state=Delivery.State.PENDING).delete()
        return
    delivery = Delivery.objects.filter(pk=job.payload["delivery"]).first()
    if delivery is None:
        return  # its subscription was deleted while it was being sent
    if performed == NOT_SENT:
        delivery.state, delivery.next_attempt_at = Delivery.State.CANCELLED, None
        delivery.save(update_fields=["state", "next_attempt_at"])
        return
    attempt = performed
    attempt.save()
    if attempt.succeeded:
        delivery.state, delivery.next_attempt_at = Delivery.State.DELIVERED, None
        if delivery.event != PING:
            subscription = Subscription.objects.filter(pk=delivery.subscription_id, failures__gt=0)
            subscription.update(failures=0)
    elif attempt.number <= retries(delivery):
        delivery.next_attempt_at = timezone.now() + retry_delay(attempt.number)
        schedule(DELIVER, {"delivery": delivery.pk}, due_at=delivery.next_attempt_at)
    else:
        delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
        if delivery.event != PING:
            count_failure(delivery.subscription_id, attempt)
    delivery.save(update_fields=["state", "next_attempt_at"])


def retries(delivery: Delivery) -> int:
    """How many times a failed delivery is tried again; a test event only once in all."""
    return 0 if delivery.event == PING else settings.WEBHOOKS_RETRIES


def retry_delay(failed_attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(failed_attempts, len(RETRY_DELAYS)) - 1])


def count_failure(subscription_id: int, attempt: Attempt) -> None:
    """Count a delivery that gave up; pause the subscription when too many did in a row.

    The UPDATE locks the row until commit, so two workers giving up at once count two.
    """
    Subscription.objects.filter(pk=subscription_id).update(failures=F("failures") + 1)
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    limit = settings.WEBHOOKS_PAUSE_AFTER_FAILURES
    if subscription and subscription.active and subscription.failures >= limit:
        subscription.pause(
            f"Paused after {subscription.failures} deliveries in a row failed; the last one, "
            f"at {attempt.started_at:%Y-%m-%d %H:%M:%S %Z}: {attempt.error}"
        )


def _excerpt(answer) -> str:
    return answer.read(EXCERPT_BYTES).decode("utf-8", errors="replace")


register(DELIVER, perform=send, commit=record)
