from django.core.management.base import BaseCommand

from courses.models import CoursePlaces


class Command(BaseCommand):
    help = (
        "Count every course's places anew from its enrolments, after a load "
        "with the database triggers switched off."
    )

    def handle(self, *args, **options):
        changed = CoursePlaces.count_anew()
        self.stdout.write(f"{changed} course(s) counted anew.")
