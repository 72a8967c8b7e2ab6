"""Handlers the demo processes call (processes/demo/*.bpmn)."""

from django.core.mail import send_mail
from django.utils.text import slugify

from processes.connectors.registry import service_handler


@service_handler("demo.pay_invoice")
def pay_invoice(variables, context):
    return {
        "payment_reference": f"PAY-{variables.get('invoice_number', context.instance_id)}",
        "paid_at": context.now.isoformat(),
    }


@service_handler("demo.send_candidate_email")
def send_candidate_email(variables, context):
    send_mail(
        subject=f"Your application for {variables.get('position', 'the position')}",
        message=f"Dear {variables.get('candidate', 'candidate')},\n\nthank you for your "
        "application. We have decided not to proceed with it at this time.",
        from_email=None,
        recipient_list=[variables["email"]],
    )
    return {"rejection_sent": True}


@service_handler("demo.create_accounts")
def create_accounts(variables, context):
    return {"accounts_created": ["email", "chat"], "username": slugify(variables.get("candidate", ""))}


@service_handler("demo.send_follow_up")
def send_follow_up(variables, context):
    return {"follow_up_sent_at": context.now.isoformat()}
