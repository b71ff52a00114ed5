"""The audit trail: services call record() for every change that matters."""

import logging

from accounts.models import AuditEntry

logger = logging.getLogger(__name__)


def record(*, actor, action, target=None, **data):
    """Append one audit entry; ``data`` never holds secrets or mail text."""
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
