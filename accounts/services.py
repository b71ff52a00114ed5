"""Business rules about accounts. Views, admin and commands call these."""

import logging

from django.db import transaction

from accounts.audit import record
from orgunits.models import OrgUnit

logger = logging.getLogger(__name__)


def fitting_org_unit(*, service_office, career_group):
    """Return the org unit fitting an office and career group, if any."""
    if service_office is None or career_group is None:
        return None
    head_office = service_office.org_unit_office
    if head_office is None:
        return None
    return OrgUnit.objects.filter(
        service_office=head_office, career_group=career_group
    ).first()


@transaction.atomic
def register_user(*, form):
    """Create the account described by a valid sign-up form.

    The account stays inactive until its owner follows the link in the
    confirmation mail.
    """
    from accounts.recovery import queue_confirmation_mail

    user = form.save(commit=False)
    user.is_active = False
    user.set_password(form.cleaned_data["password1"])
    user.org_unit = fitting_org_unit(
        service_office=user.service_office, career_group=user.career_group
    )
    user.save()

    queue_confirmation_mail(user=user)
    record(actor=user, action="account.registered", target=user)
    logger.info("Account registered", extra={"user_id": user.pk})
    return user
