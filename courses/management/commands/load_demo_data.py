from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import load_demo_officers
from courses.demo import load_demo_accounts, load_demo_courses


class Command(BaseCommand):
    help = "Load sample courses and demo accounts for a local run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even outside debug mode (never on a production database).",
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data holds known passwords; it loads only with DJANGO_DEBUG=true."
            )

        courses = load_demo_courses()
        logins = load_demo_accounts()

        self.stdout.write(self.style.SUCCESS(f"{len(courses)} demo courses loaded."))
        self.stdout.write("Demo logins (Nutzerkennung / Passwort):")
        for login_id, password in logins:
            self.stdout.write(f"  {login_id} / {password}")
        self.stdout.write(
            "Demo officers for /verwaltung/ (Nutzerkennung / Passwort; they set "
            "up an authenticator app at their first login):"
        )
        for login_id, password in load_demo_officers():
            self.stdout.write(f"  {login_id} / {password}")
