from django.core.management.base import BaseCommand, CommandError

from orgunits.services import DEFAULT_DATA_DIR, ReferenceDataError, load_reference_data


class Command(BaseCommand):
    help = "Load ministries, career groups, service offices and org units."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=DEFAULT_DATA_DIR,
            help="Folder with ministries.csv, career_groups.csv, service_offices.csv.",
        )

    def handle(self, *args, data_dir, **options):
        try:
            result = load_reference_data(data_dir=data_dir)
        except ReferenceDataError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error

        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.ministries} ministries, {result.career_groups} career "
                f"groups, {result.service_offices} service offices and "
                f"{result.org_units} org units."
            )
        )
