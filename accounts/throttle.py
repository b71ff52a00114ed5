"""Rate limits for requests that send mail, counted in the database.

Counting in the database holds the limit across every app process. Keys
are stored as keyed hashes, never in clear.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import ThrottleEvent

WINDOW = timedelta(hours=1)


def digest(value):
    """Return the keyed hash under which a throttle key is stored."""
    return salted_hmac("accounts.throttle", value.casefold()).hexdigest()


def recent(*, scope, key):
    """Return how often ``key`` was counted within the window."""
    return ThrottleEvent.objects.filter(
        scope=scope,
        key_digest=digest(key),
        created_at__gte=timezone.now() - WINDOW,
    ).count()


def allow(*, scope, key, limit):
    """Count one request for ``key``; return whether it is within ``limit``.

    Requests over the limit are counted too, so a flood stays throttled.
    The request is written before the count, so that parallel requests see
    each other: at the limit they may both be refused, never both let in.
    """
    now = timezone.now()
    key_digest = digest(key)
    ThrottleEvent.objects.filter(created_at__lt=now - 24 * WINDOW).delete()
    ThrottleEvent.objects.create(scope=scope, key_digest=key_digest, created_at=now)
    recent = ThrottleEvent.objects.filter(
        scope=scope, key_digest=key_digest, created_at__gte=now - WINDOW
    ).count()
    return recent <= limit
