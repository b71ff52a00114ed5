"""The audit trail: services call record() for every change that matters.

Security events that happen outside the portal's services are recorded by
the receivers below: logins and logouts (Django's auth signals), and changes
of an account's groups, permissions, staff, superuser and active flags and
Ressort, and of a group's permissions, wherever they are made. The admin
names the acting person through ``acting_as``. Entries hold ids and names of
groups or permissions, never passwords, tokens or mail text. They are kept
for ``PORTAL_AUDIT_RETENTION_DAYS`` and then purged by a daily task.
"""

import contextlib
import contextvars
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task

from accounts.models import AuditEntry, User

logger = logging.getLogger(__name__)

# Fields of an account that decide what its holder may do or see.
ACCESS_FIELDS = ["is_active", "is_staff", "is_superuser", "ministry_id"]

_current_actor = contextvars.ContextVar("audit_actor", default=None)


def record(*, actor, action, target=None, **data):
    """Append one audit entry; ``data`` never holds secrets or mail text."""
    if actor is None:
        actor = _current_actor.get()
    entry = AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
    logger.info(
        "Audit entry recorded",
        extra={"action": action, "audit_entry_id": entry.pk},
    )
    return entry


@contextlib.contextmanager
def acting_as(user):
    """Name the person behind the changes that signals record (the admin)."""
    token = _current_actor.set(user)
    try:
        yield
    finally:
        _current_actor.reset(token)


def record_failed_login(*, account):
    """Record a refused password; ``account`` is None for an unknown login id.

    Neither the typed Nutzerkennung nor the password is stored: an unknown
    login id may be a person's mistyped name, and nobody without an account
    should leave personal data here.
    """
    return record(actor=None, action="account.login_failed", target=account)


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    record(actor=user, action="account.logged_in", target=user)


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="account.logged_out", target=user)


@receiver(pre_save, sender=User)
def _note_access_changes(sender, instance, update_fields=None, **kwargs):
    watched = {field.removesuffix("_id") for field in ACCESS_FIELDS}
    if update_fields is not None and not watched & set(update_fields):
        return
    if instance.pk is None:
        # A new account is news only when it starts with power.
        changes = {
            field: [None, True]
            for field in ("is_staff", "is_superuser")
            if getattr(instance, field)
        }
    else:
        before = User.objects.filter(pk=instance.pk).values(*ACCESS_FIELDS).first()
        changes = {
            field: [before[field], getattr(instance, field)]
            for field in ACCESS_FIELDS
            if before is not None and before[field] != getattr(instance, field)
        }
    instance._audit_access_changes = changes


@receiver(post_save, sender=User)
def _record_access_changes(sender, instance, **kwargs):
    changes = instance.__dict__.pop("_audit_access_changes", None)
    if changes:
        record(actor=None, action="account.access_changed", target=instance, **changes)


def _names(model, pks):
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(
        f"{app_label}.{codename}"
        for app_label, codename in model.objects.filter(pk__in=pks).values_list(
            "content_type__app_label", "codename"
        )
    )


def _record_m2m_change(action, instance, model, change, pk_set):
    if change == "pre_clear":
        instance._audit_cleared = list(
            getattr(instance, _M2M_FIELDS[action]).values_list("pk", flat=True)
        )
        return
    if change == "post_clear":
        pk_set = instance.__dict__.pop("_audit_cleared", [])
        change = "post_remove"
    if change not in ("post_add", "post_remove") or not pk_set:
        return
    key = "added" if change == "post_add" else "removed"
    record(actor=None, action=action, target=instance, **{key: _names(model, pk_set)})


_M2M_FIELDS = {
    "account.groups_changed": "groups",
    "account.permissions_changed": "user_permissions",
    "group.permissions_changed": "permissions",
}


@receiver(m2m_changed, sender=User.groups.through)
def _record_group_membership(sender, instance, action, model, pk_set, reverse, **kw):
    if not reverse:
        _record_m2m_change("account.groups_changed", instance, model, action, pk_set)
        return

    # From the group's side (group.user_set.add(...)): one entry per account.
    if action == "pre_clear":
        instance._audit_cleared = list(instance.user_set.values_list("pk", flat=True))
        return
    if action == "post_clear":
        pk_set, action = instance.__dict__.pop("_audit_cleared", []), "post_remove"
    for user in User.objects.filter(pk__in=pk_set or []):
        _record_m2m_change("account.groups_changed", user, Group, action, {instance.pk})


@receiver(m2m_changed, sender=User.user_permissions.through)
def _record_account_permissions(sender, instance, action, model, pk_set, reverse, **kw):
    if not reverse:
        _record_m2m_change(
            "account.permissions_changed", instance, model, action, pk_set
        )


@receiver(m2m_changed, sender=Group.permissions.through)
def _record_group_permissions(sender, instance, action, model, pk_set, reverse, **kw):
    if not reverse:
        _record_m2m_change("group.permissions_changed", instance, model, action, pk_set)


def purge_expired_entries(*, now=None):
    """Delete entries older than the retention period; return how many."""
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.PORTAL_AUDIT_RETENTION_DAYS
    )
    count, _ = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
    if count:
        record(
            actor=None,
            action="audit.purged",
            removed=count,
            before=cutoff.isoformat(),
        )
    logger.info("Audit entries purged", extra={"removed": count})
    return count


@task()
def purge_audit_entries_daily():
    """Purge expired audit entries, then queue the next run a day later."""
    purge_expired_entries()
    schedule_daily_purge()


def schedule_daily_purge():
    """Queue the daily purge unless one is waiting; return whether it queued.

    Called when the worker starts and by the task itself, so that exactly
    one run waits at any time however often it is called. A backend that
    cannot defer (the tests' immediate one) gets nothing queued.
    """
    backend = purge_audit_entries_daily.get_backend()
    if not backend.supports_defer:
        return False

    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(backend, DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            status="READY", task_path=purge_audit_entries_daily.module_path
        )
        if waiting.exists():
            return False
    purge_audit_entries_daily.using(
        run_after=timezone.now() + timedelta(days=1)
    ).enqueue()
    return True
