from django.core.management.base import BaseCommand

from accounts.services import set_up_role_groups


class Command(BaseCommand):
    help = (
        "Create or update the groups Fortbildungsreferat and "
        "Bildungsverantwortliche with exactly their permissions."
    )

    def handle(self, *args, **options):
        for group in set_up_role_groups():
            self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
