"""Business rules about accounts. Views, admin and commands call these."""

import csv
import io
import logging
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import record
from accounts.identifiers import login_id_key
from accounts.mail import absolute_url, queue_mail
from accounts.models import AuditEntry, OutgoingMail, Session
from accounts.recovery import mail_password_changed
from accounts.roles import ROLE_PERMISSIONS
from accounts.second_factor import RECOVERY_CODE_COUNT
from accounts.signals import account_anonymising
from orgunits.models import OrgUnit, ServiceOffice

logger = logging.getLogger(__name__)

User = get_user_model()

EMAIL_CHANGE_SALT = "accounts.email_change"
EMAIL_CHANGE_MAX_AGE = timedelta(days=3)


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
@sensitive_variables()
def register_user(*, form):
    """Create the account described by a valid sign-up form.

    The account stays inactive until its owner follows the link in the
    confirmation mail.
    """
    from accounts.recovery import queue_confirmation_mail

    user = form.save(commit=False)
    # A sign-up that was never confirmed in time gives way to this one.
    User.objects.stale_sign_ups().filter(
        Q(personnel_number=user.personnel_number) | Q(login_id__iexact=user.login_id)
    ).delete()
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


def _org_unit_snapshot(org_unit):
    if org_unit is None:
        return {"id": None, "label": ""}
    return {"id": org_unit.pk, "label": str(org_unit)}


@transaction.atomic
def change_org_unit(*, user, org_unit, actor):
    """Give the account another org unit and record old, new, who and when."""
    old_org_unit = (
        OrgUnit.objects.filter(pk=user.org_unit_id).first()
        if user.org_unit_id
        else None
    )
    if old_org_unit == org_unit:
        return False

    user.org_unit = org_unit
    user.save(update_fields=["org_unit"])

    record(
        actor=actor,
        action="account.org_unit_changed",
        target=user,
        old=_org_unit_snapshot(old_org_unit),
        new=_org_unit_snapshot(org_unit),
    )
    logger.info("Org unit changed", extra={"user_id": user.pk})
    return True


def _head_office_ids():
    """Return {office id: id of the office heading its org units or None}."""
    offices = {
        office.pk: office
        for office in ServiceOffice.objects.only("pk", "kind", "parent_id")
    }
    heads = {}
    for office_id in offices:
        office, seen = offices[office_id], set()
        while office is not None and office.pk not in seen:
            if office.kind in ServiceOffice.ORG_UNIT_KINDS:
                break
            seen.add(office.pk)
            office = offices.get(office.parent_id)
        heads[office_id] = office.pk if office is not None else None
    return heads


def accounts_needing_org_unit_review(queryset):
    """Narrow accounts to those whose org unit does not fit their office.

    An org unit fits when it belongs to the office heading the org units of
    the account's Dienststelle and to the account's career group. Accounts
    without an org unit are listed too.
    """
    offices_by_head = {}
    for office_id, head_id in _head_office_ids().items():
        if head_id is not None:
            offices_by_head.setdefault(head_id, []).append(office_id)
    head_office = Case(
        *(
            When(service_office_id__in=office_ids, then=Value(head_id))
            for head_id, office_ids in offices_by_head.items()
        ),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    return (
        queryset.filter(anonymised_at__isnull=True)
        .annotate(head_office_id=head_office)
        .filter(
            Q(org_unit__isnull=True)
            | Q(head_office_id__isnull=True)
            | ~Q(org_unit__service_office_id=F("head_office_id"))
            | ~Q(org_unit__career_group_id=F("career_group_id"))
            | Q(career_group__isnull=True)
        )
    )


@transaction.atomic
@sensitive_variables()
def update_profile(*, form):
    """Save the user's own changes from "Meine Daten"; never the org unit."""
    user = form.save()

    record(
        actor=user,
        action="account.profile_updated",
        target=user,
        fields=sorted(form.changed_data),
    )
    logger.info("Profile updated", extra={"user_id": user.pk})
    return user


@transaction.atomic
@sensitive_variables()
def change_password(*, form):
    """Set the new password of a valid password change form."""
    user = form.save()
    mail_password_changed(user, this_session_kept=True)

    record(actor=user, action="account.password_changed", target=user)
    logger.info("Password changed", extra={"user_id": user.pk})
    return user


@transaction.atomic
def record_password_set_by_admin(*, user, actor):
    """Tell the owner that the operator set or removed their password."""
    mail_password_changed(user, this_session_kept=False)
    record(actor=actor, action="account.password_set_by_admin", target=user)
    logger.info("Password set in the admin", extra={"user_id": user.pk})


def _email_state(user):
    # Ties a confirmation link to the address it replaces: once the address
    # has changed (or the account is anonymised) every older link is dead.
    return salted_hmac(
        EMAIL_CHANGE_SALT, f"{user.pk}:{user.email}:{user.anonymised_at}"
    ).hexdigest()


@sensitive_variables()
def pending_email_change(token):
    """Return (account, new address) for a valid token, else None."""
    try:
        data = signing.loads(
            token,
            salt=EMAIL_CHANGE_SALT,
            max_age=EMAIL_CHANGE_MAX_AGE,
        )
    except signing.BadSignature:
        return None

    user = User.objects.filter(pk=data.get("user"), anonymised_at__isnull=True).first()
    if user is None or not constant_time_compare(data.get("state"), _email_state(user)):
        return None
    return user, data["email"]


@transaction.atomic
@sensitive_variables()
def request_email_change(*, user, new_email):
    """Mail a confirmation link to the new address; nothing changes yet."""
    token = signing.dumps(
        {"user": user.pk, "email": new_email, "state": _email_state(user)},
        salt=EMAIL_CHANGE_SALT,
    )
    queue_mail(
        to=[new_email],
        template="accounts/mail/email_change",
        context={
            "user": user,
            "confirm_url": absolute_url(
                reverse("accounts:email_change_confirm", kwargs={"token": token})
            ),
            "valid_days": EMAIL_CHANGE_MAX_AGE.days,
        },
    )

    record(actor=user, action="account.email_change_requested", target=user)
    logger.info("E-mail change requested", extra={"user_id": user.pk})


@transaction.atomic
@sensitive_variables()
def confirm_email_change(*, user, new_email):
    """Store the confirmed address and tell the old one about the change."""
    old_email = user.email
    user.email = new_email
    user.save(update_fields=["email"])

    if old_email:
        queue_mail(
            to=[old_email],
            template="accounts/mail/email_changed",
            context={"training_office_email": settings.PORTAL_TRAINING_OFFICE_EMAIL},
        )
    record(actor=user, action="account.email_changed", target=user)
    logger.info("E-mail changed", extra={"user_id": user.pk})


def start_second_factor_setup(*, user):
    """Return the unconfirmed authenticator device the user is setting up."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator", confirmed=False
        )
    return device


@sensitive_variables()
def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


@transaction.atomic
def confirm_second_factor(*, device):
    """Activate a verified authenticator app; return new recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(device.user)
    _mail_second_factor_notice(device.user, switched_on=True)

    record(actor=device.user, action="account.second_factor_set_up", target=device.user)
    logger.info("Second factor set up", extra={"user_id": device.user_id})
    return codes


@transaction.atomic
@sensitive_variables()
def renew_recovery_codes(*, user):
    """Replace the user's recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)

    record(actor=user, action="account.recovery_codes_renewed", target=user)
    logger.info("Recovery codes renewed", extra={"user_id": user.pk})
    return codes


def _mail_second_factor_notice(user, *, switched_on):
    # A change to how an account signs in is news to its owner, above all
    # when someone else made it.
    if user.email:
        queue_mail(
            to=[user.email],
            template="accounts/mail/second_factor_changed",
            context={
                "user": user,
                "switched_on": switched_on,
                "profile_url": absolute_url(reverse("accounts:profile")),
            },
        )


@transaction.atomic
def remove_second_factor(*, user, actor):
    """Remove the user's authenticator app and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _mail_second_factor_notice(user, switched_on=False)

    record(actor=actor, action="account.second_factor_removed", target=user)
    logger.info("Second factor removed", extra={"user_id": user.pk})


@transaction.atomic
def set_up_role_groups():
    """Create both role groups and give each exactly its permissions."""
    groups = []
    for name, labels in ROLE_PERMISSIONS.items():
        permissions = []
        for label in labels:
            app_label, codename = label.split(".")
            permissions.append(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        groups.append(group)

    logger.info("Role groups set up", extra={"groups": len(groups)})
    return groups


def training_record(user):
    """Return the enrolments in finished courses the person took part in."""
    # courses builds on accounts; the import stays local so that accounts
    # never needs courses to load.
    from courses.models import Enrollment

    return (
        Enrollment.objects.filter(
            user=user,
            status__in=Enrollment.SEATED_STATUSES,
            course__ends_at__lt=timezone.now(),
        )
        .select_related("course")
        .order_by("course__starts_at")
    )


@transaction.atomic
@sensitive_variables()
def export_training_record(*, user, actor):
    """Return the person's training record as CSV text for handing over."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            gettext("Course number"),
            gettext("Title"),
            gettext("Starts"),
            gettext("Ends"),
            gettext("Place"),
            gettext("Status"),
        ]
    )
    for enrollment in training_record(user):
        course = enrollment.course
        writer.writerow(
            [
                course.number,
                course.title,
                date_format(timezone.localtime(course.starts_at), "d.m.Y"),
                date_format(timezone.localtime(course.ends_at), "d.m.Y"),
                ", ".join(part for part in (course.venue, course.town) if part),
                enrollment.get_status_display(),
            ]
        )

    record(actor=actor, action="account.training_record_exported", target=user)
    logger.info("Training record exported", extra={"user_id": user.pk})
    return buffer.getvalue()


def _end_sessions(user):
    Session.objects.filter(user=user).delete()


def _purge_traces(*, user, values):
    """Delete or blank every stored row that still carries the values."""
    keys = {user.login_id, login_id_key(user.login_id)}
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=keys).delete()

    mails = Q(recipients__icontains=user.email) if user.email else Q(pk__in=[])
    for value in values:
        mails |= Q(subject__icontains=value) | Q(body__icontains=value)
    OutgoingMail.objects.filter(mails).delete()

    entries = Q(pk__in=[])
    for value in values:
        entries |= Q(data__icontains=value)
    AuditEntry.objects.filter(entries).update(data={"redacted": True})

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)


@transaction.atomic
def lock_account(user):
    """Lock the account's row until the transaction ends; return it fresh.

    Without the key share: rows that refer to the account (an enrolment
    cancelled by the person, an audit entry) can still be written meanwhile,
    as their foreign keys take that share; a person cancelling while the
    account is anonymised would otherwise deadlock with it.
    """
    return User.objects.select_for_update(no_key=True).get(pk=user.pk)


@sensitive_variables()
def anonymise_user(*, user, actor):
    """Remove the person's data from the account; keep anonymous statistics.

    Future enrolments are cancelled (the waiting list moves up), past ones
    stay with course, status, org unit and career group. The person may then
    sign up again with the same personnel number and Nutzerkennung.
    """
    user = lock_account(user)
    if user.anonymised_at is not None:
        return user

    account_anonymising.send(sender=User, user=user, actor=actor)

    full_name = user.get_full_name()
    values = [
        value
        for value in (
            user.login_id,
            user.personnel_number,
            user.email,
            user.phone,
            full_name,
        )
        if value
    ]
    _purge_traces(user=user, values=values)

    placeholder = f"anonymisiert-{user.pk}"
    LogEntry.objects.filter(
        content_type__app_label="accounts", object_id=str(user.pk)
    ).update(object_repr=placeholder)
    user.login_id = placeholder
    user.personnel_number = ""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.phone = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.must_reset_password = False
    user.last_login = None
    user.anonymised_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    record(actor=actor, action="account.anonymised", target=user)
    logger.info("Account anonymised", extra={"user_id": user.pk})
    return user
