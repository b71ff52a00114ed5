"""The mail outbox: every mail is a row first, delivered later by the worker.

Callers queue mail inside the transaction of the change that causes it, so a
mail exists exactly when the change does. The worker (``manage.py db_worker``)
runs ``deliver_mail`` and retries with growing pauses while the SMTP server is
away; a mail marked as sent is never sent again.

Delivery is at least once: a worker killed after the SMTP server accepted a
mail but before the mail was marked as sent leaves it unsent, and it goes
out again. ``requeue_unsent_mail`` (``manage.py send_queued_mail``, run when
a worker starts) picks up the mails a killed worker left behind.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from accounts.models import OutgoingMail

logger = logging.getLogger(__name__)

RETRY_DELAYS = [timedelta(minutes=minutes) for minutes in (1, 2, 5, 10, 30, 60)]


def absolute_url(path):
    """Return a link for a mail, built from the configured public address."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def queue_mail(*, to, template, context, attachments=(), reply_to=()):
    """Render a German plain-text mail and put it into the outbox.

    ``template`` names a pair of templates, ``<template>_subject.txt`` and
    ``<template>_body.txt``; ``attachments`` holds (file name, text, MIME type)
    triples such as an .ics file.
    """
    context = {"base_url": settings.PORTAL_BASE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    mail = OutgoingMail.objects.create(
        recipients=list(to),
        reply_to=list(reply_to),
        subject=subject,
        body=body,
        attachments=[list(attachment) for attachment in attachments],
        template=template,
    )
    deliver_mail.enqueue(mail.pk)
    logger.info("Mail queued", extra={"mail_id": mail.pk, "template": template})
    return mail


def schedule_retry(mail):
    """Enqueue the next attempt, later by a pause that grows with each try.

    A backend that cannot defer tasks (the immediate one of the tests)
    leaves the mail to ``manage.py send_queued_mail``.
    """
    if not deliver_mail.get_backend().supports_defer:
        logger.warning("Mail delivery failed", extra={"mail_id": mail.pk})
        return
    delay = RETRY_DELAYS[min(mail.attempts - 1, len(RETRY_DELAYS) - 1)]
    deliver_mail.using(run_after=timezone.now() + delay).enqueue(mail.pk)
    logger.warning(
        "Mail delivery failed, retry scheduled",
        extra={"mail_id": mail.pk, "attempts": mail.attempts},
    )


def _waiting_deliveries():
    """Return the queued deliveries that no worker has started yet."""
    if not isinstance(deliver_mail.get_backend(), DatabaseBackend):
        return {}
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_mail.module_path
    ).only("pk", "args_kwargs")
    return {task.pk: task.args_kwargs["args"][0] for task in waiting}


def requeue_unsent_mail():
    """Have every mail not yet sent delivered at once; return how many.

    A retry that is already waiting is brought forward instead of doubled.
    A mail without one gets a new delivery: its worker was killed while
    sending it, and the task it had claimed will never finish.
    """
    unsent = set(
        OutgoingMail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    )
    waiting = _waiting_deliveries()

    due = [task_id for task_id, mail_id in waiting.items() if mail_id in unsent]
    if due:
        DBTaskResult.objects.filter(pk__in=due).update(run_after=timezone.now())
    for mail_id in sorted(unsent - set(waiting.values())):
        deliver_mail.enqueue(mail_id)
    return len(unsent)


@task()
def deliver_mail(mail_id):
    """Send one queued mail; on failure schedule the next attempt."""
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, sent_at__isnull=True)
            .first()
        )
        if mail is None:
            return

        message = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=mail.recipients,
            reply_to=mail.reply_to or None,
        )
        for file_name, content, mimetype in mail.attachments:
            message.attach(file_name, content, mimetype)

        mail.attempts += 1
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - any SMTP failure is retried
            mail.last_error = type(error).__name__
            mail.save(update_fields=["attempts", "last_error"])
            schedule_retry(mail)
            return

        mail.sent_at = timezone.now()
        mail.last_error = ""
        mail.save(update_fields=["attempts", "sent_at", "last_error"])
    logger.info("Mail sent", extra={"mail_id": mail.pk})
