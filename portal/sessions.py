"""Django's database sessions with fewer round trips at login.

Selected by SESSION_ENGINE = "portal.sessions"; the rows are Django's own, so
every app instance on the same database reads every session.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS,
    CreateError,
    UpdateError,
)
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self):
        """Return a random key without asking the database whether it exists.

        32 characters of 36 are 165 random bits; should one ever repeat, the
        insert fails on the primary key and `create` draws another.
        """
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self):
        """Give the session a new key, as a login does against fixation.

        A session that was never stored has no key an attacker could have
        planted: it gets a fresh one when it is first saved, at the end of
        the request, instead of being inserted now and updated then.
        """
        if self.session_key is None:
            return
        super().cycle_key()

    def save(self, must_create=False):
        """Write the session in one statement, without BEGIN and COMMIT.

        Django wraps the INSERT or UPDATE in a transaction of its own so that
        a failure cannot spoil a surrounding one. Outside any transaction
        (a login, a renewal of the idle window) a single statement is atomic
        by itself, and the two round trips are saved; inside one, Django's
        way stands.
        """
        if self.session_key is None:
            return self.create()
        using = router.db_for_write(self.model)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=must_create)
        data = self._get_session(no_load=must_create)
        obj = self.create_model_instance(data)
        try:
            obj.save(
                force_insert=must_create, force_update=not must_create, using=using
            )
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
