from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.audit import purge_expired_entries, schedule_daily_purge


class Command(BaseCommand):
    help = (
        "Delete audit entries older than PORTAL_AUDIT_RETENTION_DAYS; with "
        "--schedule also make sure the worker repeats this daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily purge task unless one is already waiting.",
        )

    def handle(self, *args, schedule, **options):
        count = purge_expired_entries()
        self.stdout.write(
            f"{count} audit entries older than "
            f"{settings.PORTAL_AUDIT_RETENTION_DAYS} days removed."
        )
        if schedule:
            queued = schedule_daily_purge()
            self.stdout.write(
                "Daily purge queued." if queued else "Daily purge already queued."
            )
