from django.core.management.base import BaseCommand

from accounts.mail import requeue_unsent_mail


class Command(BaseCommand):
    help = "Enqueue a delivery for every mail in the outbox that is not yet sent."

    def handle(self, *args, **options):
        count = requeue_unsent_mail()
        self.stdout.write(f"{count} unsent mail(s) enqueued.")
