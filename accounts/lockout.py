"""Lockout after wrong passwords: django-axes hooks and the lock services.

Failures are counted per normalised Nutzerkennung. A lock first lasts
``PORTAL_LOCKOUT_MINUTES``; the ``PORTAL_LOCKOUT_ESCALATE_AFTER``-th lock
within ``PORTAL_LOCKOUT_ESCALATION_HOURS`` lasts until an officer unlocks the
account or its owner completes "Kennwort vergessen". A single IP address is
throttled only at the far higher ``PORTAL_IP_FAILURE_LIMIT``.
"""

import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record, record_failed_login
from accounts.identifiers import login_id_key
from accounts.mail import absolute_url, queue_mail
from accounts.models import LoginLock

logger = logging.getLogger(__name__)


def lock_minutes():
    return round(settings.AXES_COOLOFF_TIME * 60)


def username_from_request(request, credentials):
    """Return the counter key: one key for every spelling of a login id."""
    if credentials and credentials.get("username") is not None:
        return login_id_key(credentials["username"])
    return login_id_key(request.POST.get("username", ""))


def client_ip_address(request):
    """Return the client's address as seen by the outermost trusted proxy.

    Each of the ``PORTAL_PROXY_COUNT`` proxies appends the address it was
    contacted from to X-Forwarded-For; everything left of those entries
    was written by the client and is ignored.
    """
    proxy_count = settings.PORTAL_PROXY_COUNT
    if proxy_count <= 0:
        return request.META.get("REMOTE_ADDR")
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < proxy_count:
        return request.META.get("REMOTE_ADDR")
    return forwarded[-proxy_count]


def ip_failures(ip_address):
    """Return the recent failed logins from one address, for any account."""
    if not ip_address:
        return 0
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


class PortalAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with lasting locks and a per-address throttle."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        login_key = get_client_username(request, credentials)
        if (
            login_key
            and LoginLock.objects.lasting().filter(login_key=login_key).exists()
        ):
            return True
        return ip_failures(request.axes_ip_address) >= settings.PORTAL_IP_FAILURE_LIMIT

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        if request is not None:
            request.portal_login_failures = failures
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        # With no failure counted before this login there is nothing to
        # reset: skip axes' two reads and transactions (the access log is
        # off). Expired attempts go with the account's next failure.
        if (
            settings.AXES_DISABLE_ACCESS_LOG
            and getattr(request, "portal_login_failures", None) == 0
        ):
            return
        super().user_logged_in(sender, request, user, **kwargs)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        was_locked = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # Attempts during a lock are refused unchecked: neither counted nor
        # recorded, so a script hammering a locked login fills no table.
        if request is None or was_locked:
            return

        login_key = get_client_username(request, credentials)
        record_failed_login(account=account_for_key(login_key))
        if request.axes_locked_out:
            lock_login(login_key=login_key)


def account_for_key(login_key):
    return get_user_model().objects.with_login_id(login_key).first()


@transaction.atomic
def lock_login(*, login_key):
    """Record a new lock of a Nutzerkennung and tell the account's owner."""
    now = timezone.now()
    window_start = now - timedelta(hours=settings.PORTAL_LOCKOUT_ESCALATION_HOURS)
    earlier = LoginLock.objects.filter(
        login_key=login_key, lifted_at__isnull=True, locked_at__gte=window_start
    ).count()
    is_lasting = earlier + 1 >= settings.PORTAL_LOCKOUT_ESCALATE_AFTER
    lock = LoginLock.objects.create(
        login_key=login_key,
        locked_at=now,
        locked_until=None if is_lasting else now + timedelta(minutes=lock_minutes()),
    )

    user = account_for_key(login_key)
    if user is not None:
        record(actor=None, action="account.locked", target=user, lasting=is_lasting)
        if user.is_active and user.email:
            queue_mail(
                to=[user.email],
                template="accounts/mail/locked",
                context={
                    "user": user,
                    "lock": lock,
                    "minutes": lock_minutes(),
                    "reset_url": absolute_url(reverse("accounts:password_reset")),
                },
            )
    logger.warning("Login locked", extra={"lock_id": lock.pk, "lasting": is_lasting})
    return lock


def lift_locks(*, login_id):
    """End every lock and failure count of a Nutzerkennung at once."""
    from axes.handlers.proxy import AxesProxyHandler

    login_key = login_id_key(login_id)
    lifted = LoginLock.objects.filter(login_key=login_key, lifted_at__isnull=True)
    count = lifted.update(lifted_at=timezone.now())
    AxesProxyHandler.reset_attempts(username=login_key)
    return count


@transaction.atomic
def unlock_account(*, actor, user):
    """Lift the lock of an account; return whether there was one in force."""
    was_locked = (
        LoginLock.objects.in_force()
        .filter(login_key=login_id_key(user.login_id))
        .exists()
    )
    lift_locks(login_id=user.login_id)

    record(actor=actor, action="account.unlocked", target=user, was_locked=was_locked)
    logger.info("Account unlocked", extra={"user_id": user.pk})
    return was_locked


def lockout_response(request, original_response, credentials):
    """Answer every login attempt while locked the same way, in German.

    The page depends only on the Nutzerkennung typed and the address, never
    on the password or on whether an account exists.
    """
    login_key = username_from_request(request, credentials)
    lock = LoginLock.objects.in_force().filter(login_key=login_key).first()
    context = {
        "lock": lock,
        "minutes": lock_minutes(),
        "network_throttled": lock is None,
    }
    return render(request, "accounts/locked.html", context, status=429)
