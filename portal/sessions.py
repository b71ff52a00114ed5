"""Django's database sessions with fewer round trips at login.

Selected by SESSION_ENGINE = "portal.sessions"; the rows are Django's own, so
every app instance on the same database reads every session.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
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
