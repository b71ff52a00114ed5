from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.legacy_import import import_legacy_accounts, read_legacy_accounts

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = (
        "Import accounts of the old portal from a CSV file. Every imported "
        "account must reset its password by e-mail before it can log in."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header row")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows even if others are rejected",
        )

    def handle(self, *args, file, skip_invalid, **options):
        try:
            rows, rejected = read_legacy_accounts(file)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        for line_number, reason in rejected:
            self.stderr.write(f"{file}, line {line_number}: {reason}")
        if rejected and not skip_invalid:
            raise CommandError(
                f"{len(rejected)} row(s) rejected, nothing imported. Fix the "
                "file or pass --skip-invalid."
            )

        total = len(rows)

        def progress(done):
            if done % PROGRESS_EVERY == 0 or done == total:
                self.stdout.write(f"{done}/{total} rows written")

        with transaction.atomic():
            result = import_legacy_accounts(rows=rows, progress=progress)
            if result.rejected and not skip_invalid:
                for line_number, reason in result.rejected:
                    self.stderr.write(f"{file}, line {line_number}: {reason}")
                raise CommandError(
                    f"{len(result.rejected)} row(s) rejected, nothing imported."
                )
        for line_number, reason in result.rejected:
            self.stderr.write(f"{file}, line {line_number}: {reason}")

        self.stdout.write(
            f"{result.created} created, {result.updated} updated, "
            f"{len(rejected) + len(result.rejected)} rejected."
        )
