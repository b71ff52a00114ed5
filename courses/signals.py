from django.dispatch import receiver

from accounts.signals import account_anonymising
from courses.models import Enrollment
from courses.services import cancel_future_enrollments


@receiver(account_anonymising)
def settle_enrollments_of_anonymised_account(sender, *, user, actor, **kwargs):
    """Cancel future enrolments; keep past ones as anonymous statistics."""
    cancel_future_enrollments(user=user, actor=actor, notify=False)
    Enrollment.objects.filter(user=user, org_unit__isnull=True).update(
        org_unit=user.org_unit
    )
    Enrollment.objects.filter(user=user, career_group__isnull=True).update(
        career_group=user.career_group
    )
