"""Django's database sessions with fewer round trips.

Selected by SESSION_ENGINE = "portal.sessions". The rows live in the table of
``accounts.Session``: Django's session row plus a column naming the account,
so that loading a session reads its account in the same statement. Every app
instance on the same database reads every session.
"""

import contextlib
import contextvars
import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS,
    CreateError,
    UpdateError,
)
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import get_random_string

_authenticating = contextvars.ContextVar("authenticating_session", default=None)


@contextlib.contextmanager
def authenticating(session):
    """Offer the account read with ``session`` to the authentication backend.

    Only for the duration of one ``django.contrib.auth.get_user`` call, so
    that no account outlives the request it was read for.
    """
    token = _authenticating.set(session)
    try:
        yield
    finally:
        _authenticating.reset(token)


def account_read_with_session(user_id):
    """Return the account read with the session being authenticated, or None.

    None unless the session's row named exactly the account with ``user_id``;
    the caller then reads the account itself.
    """
    session = _authenticating.get()
    user = getattr(session, "user_at_load", None)
    if user is None or user.pk != user_id:
        return None
    return user


@functools.cache
def _sessions_with_account():
    """Sessions with their account and whether it has a second factor.

    Built once per process: resolving the join and the subquery anew cost
    a quarter of reading a session.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Session

    devices = TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)
    return Session.objects.select_related("user").annotate(
        second_factor_at_load=Exists(devices)
    )


# Stand-ins for the two values that change from one reading to the next.
_KEY = "\x00session key"
_NOW = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Compiled:
    """The session query as SQL, and where its row holds what."""

    sql: str
    params: tuple
    compiler: object
    # Django's conversions of the row's values; none on PostgreSQL today.
    converters: dict
    session: tuple[slice, list[str]]
    user: tuple[slice, list[str]]
    second_factor: int


@functools.cache
def _compiled(using):
    """Compile the session query once per process (PostgreSQL only).

    Django compiles a query anew for every reading; for this one (a join,
    a subquery, some twenty columns) that cost more than sending it and
    reading its row, on every signed-in request. Only the key and the time
    differ between readings, so the SQL is made once, with stand-ins for
    both, together with the conversions Django's compiler would apply to
    the row (none on PostgreSQL today) and where each model's columns are.
    """
    queryset = _sessions_with_account().filter(session_key=_KEY, expire_date__gt=_NOW)
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()

    def columns(klass_info):
        positions = klass_info["select_fields"]
        names = [compiler.select[i][0].target.attname for i in positions]
        return slice(positions[0], positions[-1] + 1), names

    (user_info,) = compiler.klass_info["related_klass_infos"]
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    return _Compiled(
        sql=sql,
        params=tuple(params),
        compiler=compiler,
        converters=compiler.get_converters(fields),
        session=columns(compiler.klass_info),
        user=columns(user_info),
        second_factor=compiler.annotation_col_map["second_factor_at_load"],
    )


def _read_session(session_key, *, using):
    """Return (session, its account or None) as the ORM would, or None."""
    compiled = _compiled(using)
    now = timezone.now()
    params = [
        session_key if value == _KEY else now if value == _NOW else value
        for value in compiled.params
    ]
    with connections[using].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    if compiled.converters:
        rows = compiled.compiler.apply_converters(rows, compiled.converters)
    (row,) = rows
    from accounts.models import Session

    (columns, names), (user_columns, user_names) = compiled.session, compiled.user
    session = Session.from_db(using, names, row[columns])
    user = None
    if session.user_id is not None:
        user = get_user_model().from_db(using, user_names, row[user_columns])
        user.second_factor_at_load = row[compiled.second_factor]
    return session, user


class SessionStore(db.SessionStore):
    user_at_load = None

    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def _get_session_from_db(self):
        """Read the session and, in the same statement, its account.

        The account comes with whether it has a confirmed second factor, as
        ``accounts.backends.LoginIdBackend.get_user`` reads it.
        """
        self.user_at_load = None
        using = router.db_for_read(self.model)
        if connections[using].vendor == "postgresql":
            found = _read_session(self.session_key, using=using)
            if found is None:
                self._session_key = None
                return None
            session, self.user_at_load = found
            return session
        try:
            session = _sessions_with_account().get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            if isinstance(error, SuspiciousOperation):
                name = f"django.security.{error.__class__.__name__}"
                logging.getLogger(name).warning(str(error))
            self._session_key = None
            return None
        if session.user is not None:
            session.user.second_factor_at_load = session.second_factor_at_load
            self.user_at_load = session.user
        return session

    def _validate_session_key(self, key):
        """Accept only keys made as this store makes them.

        Anything else in the cookie (a NUL, which PostgreSQL refuses in a
        text, or any other stray character) is no session, not an error.
        """
        return super()._validate_session_key(key) and all(
            character in VALID_KEY_CHARS for character in key
        )

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = (
            None if user_id is None else get_user_model()._meta.pk.to_python(user_id)
        )
        return session

    def flush(self):
        self.user_at_load = None
        super().flush()

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
