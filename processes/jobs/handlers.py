"""Built-in job kinds."""

from django.core.mail import send_mail

from processes.jobs.registry import register


def send_email(job):
    """Send one e-mail; retried with backoff when the mail server refuses it."""
    payload = job.payload
    send_mail(
        subject=payload["subject"],
        message=payload["body"],
        from_email=None,
        recipient_list=payload["to"],
        fail_silently=False,
    )


register("mail.send", perform=send_email)
