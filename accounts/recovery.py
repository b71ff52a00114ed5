"""Getting back into an account: "Kennwort vergessen", "Nutzerkennung
vergessen", the confirmation of the address at sign-up and the forced reset.

Requests for a mail enqueue a task whatever was typed; the task looks up the
account. The answer thus takes the same work whether an account exists,
is inactive, or not, and reveals nothing.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.debug import sensitive_variables
from django_tasks import task

from accounts import throttle
from accounts.audit import record
from accounts.identifiers import login_id_key
from accounts.lockout import lift_locks
from accounts.mail import absolute_url, queue_mail

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "accounts.recovery.signup_confirmation"


@sensitive_variables()
def request_password_reset(*, login_id, client_ip):
    """Ask for a reset link for a Nutzerkennung; reveal nothing."""
    if not throttle.allow(
        scope="reset-ip",
        key=client_ip or "",
        limit=settings.PORTAL_RECOVERY_LIMIT_PER_IP,
    ):
        logger.warning("Password reset throttled by address")
        return
    send_password_reset_link.enqueue(login_id_key(login_id))


@task()
@sensitive_variables()
def send_password_reset_link(login_key):
    """Mail a reset link to the stored address of an active account."""
    if not throttle.allow(
        scope="reset-account",
        key=login_key,
        limit=settings.PORTAL_RECOVERY_LIMIT_PER_ACCOUNT,
    ):
        logger.warning("Password reset throttled by account")
        return
    user = (
        get_user_model()
        .objects.with_login_id(login_key)
        .filter(is_active=True)
        .exclude(email="")
        .first()
    )
    if user is None:
        return
    if not throttle.allow(
        scope="mail-address",
        key=user.email,
        limit=settings.PORTAL_RECOVERY_LIMIT_PER_ACCOUNT,
    ):
        logger.warning("Password reset throttled by address")
        return

    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with transaction.atomic():
        queue_mail(
            to=[user.email],
            template="accounts/mail/password_reset",
            context={
                "user": user,
                "reset_url": absolute_url(path),
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
        record(actor=None, action="account.password_reset_requested", target=user)
    logger.info("Password reset link queued", extra={"user_id": user.pk})


def mail_password_changed(user, *, this_session_kept):
    """Tell the owner that their password changed, wherever it was changed."""
    if user.email:
        queue_mail(
            to=[user.email],
            template="accounts/mail/password_changed",
            context={
                "user": user,
                "login_url": absolute_url(reverse("accounts:login")),
                "this_session_kept": this_session_kept,
            },
        )


@transaction.atomic
@sensitive_variables()
def complete_password_reset(*, user, password):
    """Set the new password; lift any lock and any forced reset.

    The new password hash ends every session of the user, since Django
    checks each session against it.
    """
    user.set_password(password)
    user.must_reset_password = False
    user.save(update_fields=["password", "must_reset_password"])
    lift_locks(login_id=user.login_id)

    mail_password_changed(user, this_session_kept=False)
    record(actor=user, action="account.password_reset_completed", target=user)
    logger.info("Password reset completed", extra={"user_id": user.pk})


@sensitive_variables()
def request_login_id_reminder(*, email, client_ip):
    """Ask for the Nutzerkennungen of an address; reveal nothing."""
    if not throttle.allow(
        scope="reminder-ip",
        key=client_ip or "",
        limit=settings.PORTAL_RECOVERY_LIMIT_PER_IP,
    ):
        logger.warning("Login id reminder throttled by address")
        return
    send_login_id_reminder.enqueue(email.strip())


@task()
@sensitive_variables()
def send_login_id_reminder(email):
    """Mail the Nutzerkennungen of active accounts to their stored address."""
    users = list(get_user_model().objects.filter(email__iexact=email, is_active=True))
    if not users:
        return
    if not throttle.allow(
        scope="mail-address",
        key=email,
        limit=settings.PORTAL_RECOVERY_LIMIT_PER_ACCOUNT,
    ):
        logger.warning("Login id reminder throttled by address")
        return

    with transaction.atomic():
        queue_mail(
            to=[users[0].email],
            template="accounts/mail/login_id_reminder",
            context={
                "users": users,
                "login_url": absolute_url(reverse("accounts:login")),
            },
        )
        for user in users:
            record(actor=None, action="account.login_id_reminded", target=user)
    logger.info("Login id reminder queued", extra={"accounts": len(users)})


@transaction.atomic
def force_password_reset(*, actor, user):
    """Require an e-mail reset before the next login; end every session.

    The old password stops working at once: the account has no usable
    password until the reset, and its sessions no longer match it.
    """
    user.set_unusable_password()
    user.must_reset_password = True
    user.save(update_fields=["password", "must_reset_password"])

    record(actor=actor, action="account.password_reset_forced", target=user)
    logger.info("Password reset forced", extra={"user_id": user.pk})


def _confirmation_state(user):
    # Changes once the account is confirmed (login, activation) or its
    # address changes: a link confirms one state only, once.
    value = f"{user.pk}|{user.email}|{user.is_active}|{user.last_login}"
    return salted_hmac(CONFIRMATION_SALT, value).hexdigest()


@sensitive_variables()
def make_confirmation_token(user):
    """Return the signed, expiring token of a sign-up confirmation link."""
    return signing.dumps(
        {"user": user.pk, "state": _confirmation_state(user)}, salt=CONFIRMATION_SALT
    )


@sensitive_variables()
def user_for_confirmation_token(token):
    """Return the unconfirmed account a valid token names, or None."""
    try:
        data = signing.loads(
            token,
            salt=CONFIRMATION_SALT,
            max_age=settings.PORTAL_SIGNUP_CONFIRM_SECONDS,
        )
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=False).first()
    if user is None or not constant_time_compare(
        data.get("state", ""), _confirmation_state(user)
    ):
        return None
    return user


@sensitive_variables()
def queue_confirmation_mail(*, user):
    """Mail the link that confirms the address of a new account."""
    path = reverse(
        "accounts:signup_confirm", kwargs={"token": make_confirmation_token(user)}
    )
    queue_mail(
        to=[user.email],
        template="accounts/mail/signup_confirmation",
        context={
            "user": user,
            "confirm_url": absolute_url(path),
            "days": settings.PORTAL_SIGNUP_CONFIRM_SECONDS // 86400,
        },
    )


@transaction.atomic
def confirm_signup(*, user):
    """Activate an account whose owner followed the confirmation link."""
    user.is_active = True
    user.save(update_fields=["is_active"])

    record(actor=user, action="account.email_confirmed", target=user)
    logger.info("Sign-up confirmed", extra={"user_id": user.pk})
