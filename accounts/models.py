from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.identifiers import normalize_login_id

login_id_validator = RegexValidator(
    r"^[A-Za-z0-9._-]{3,30}$",
    _(
        "The Nutzerkennung may contain 3 to 30 letters (without umlauts), digits, "
        "dots, hyphens and underscores."
    ),
    code="invalid_login_id",
)


class UserQuerySet(models.QuerySet):
    def with_login_id(self, login_id):
        """Return the account of a Nutzerkennung in any case or spelling.

        Compared in lower case, as the unique index on Lower(login_id) is
        built, so that PostgreSQL looks it up in that index;
        ``login_id__iexact`` compares UPPER() of both and read every
        account at each login (14 ms at 60,000 accounts). Nutzerkennungen
        are ASCII, so every database lower-cases them alike.
        """
        return self.alias(login_key=Lower("login_id")).filter(
            login_key=normalize_login_id(login_id).lower()
        )

    def stale_sign_ups(self, *, now=None):
        """Return sign-ups never confirmed within the confirmation period.

        They hold nothing but a claim on a personnel number and a login id,
        which a new sign-up of the same person may take over.
        """
        cutoff = (now or timezone.now()) - timedelta(
            seconds=settings.PORTAL_SIGNUP_CONFIRM_SECONDS
        )
        return self.filter(
            is_active=False,
            last_login__isnull=True,
            anonymised_at__isnull=True,
            date_joined__lt=cutoff,
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, login_id):
        # One account per Nutzerkennung whatever its case or surrounding
        # white space, the same key as the lockout counter uses.
        return self.with_login_id(login_id).get()

    def create_user(self, login_id, password=None, **extra_fields):
        if not login_id:
            raise ValueError("A login id is required.")
        user = self.model(login_id=normalize_login_id(login_id), **extra_fields)
        user.email = self.normalize_email(user.email)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login_id, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(login_id, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: employee, training officer or office staff."""

    login_id = models.CharField(
        _("Nutzerkennung"),
        max_length=150,
        unique=True,
        validators=[login_id_validator],
    )
    personnel_number = models.CharField(
        _("LBV personnel number"), max_length=8, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    ministry = models.ForeignKey(
        "orgunits.Ministry",
        verbose_name=_("ministry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    service_office = models.ForeignKey(
        "orgunits.ServiceOffice",
        verbose_name=_("service office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    career_group = models.ForeignKey(
        "orgunits.CareerGroup",
        verbose_name=_("career group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    must_reset_password = models.BooleanField(
        _("must reset password"),
        default=False,
        help_text=_("The account can log in only after a password reset by e-mail."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "login_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["last_name", "first_name", "login_id"]
        constraints = [
            models.UniqueConstraint(
                Lower("login_id"), name="user_login_id_case_insensitive_unique"
            ),
            # Anonymised accounts keep no personnel number; among the others
            # a number belongs to one account only.
            models.UniqueConstraint(
                fields=["personnel_number"],
                condition=models.Q(anonymised_at__isnull=True)
                & ~models.Q(personnel_number=""),
                name="user_personnel_number_unique_live",
            ),
        ]
        permissions = [
            ("anonymise_user", _("Can anonymise accounts")),
            ("reset_second_factor", _("Can reset the second factor of accounts")),
            ("unlock_user", _("Can unlock accounts")),
            ("force_password_reset", _("Can force a password reset")),
        ]

    def __str__(self):
        return self.get_full_name() or self.login_id

    def clean(self):
        super().clean()
        self.login_id = normalize_login_id(self.login_id)
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name


class OrgUnitReview(User):
    """Accounts as the Fortbildungsreferat reviews their org unit."""

    class Meta:
        proxy = True
        verbose_name = _("org unit to review")
        verbose_name_plural = _("org units to review")


class AuditEntry(models.Model):
    """One row of the append-only audit trail: who did what to whom, when."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("target type"), max_length=80, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.action} {self.target_type}:{self.target_id}"


class OutgoingMail(models.Model):
    """A mail in the outbox, written in the transaction that causes it."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    template = models.CharField(_("template"), max_length=200)
    recipients = models.JSONField(_("recipients"))
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.template} ({self.pk})"


class LoginLockQuerySet(models.QuerySet):
    def in_force(self):
        """Return the locks that still refuse every login."""
        return self.filter(lifted_at__isnull=True).filter(
            models.Q(locked_until__isnull=True)
            | models.Q(locked_until__gt=timezone.now())
        )

    def lasting(self):
        """Return the locks that only an unlock or a reset ends."""
        return self.filter(lifted_at__isnull=True, locked_until__isnull=True)


class LoginLock(models.Model):
    """A lock of one Nutzerkennung after too many wrong passwords.

    Keyed by the normalised Nutzerkennung, not by account, so that a
    Nutzerkennung without an account behaves exactly like one with.
    """

    login_key = models.CharField(_("Nutzerkennung"), max_length=150, db_index=True)
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_until = models.DateTimeField(
        _("locked until"),
        null=True,
        blank=True,
        help_text=_("Empty: until an officer unlocks it or a password reset."),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = LoginLockQuerySet.as_manager()

    class Meta:
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")
        ordering = ["-locked_at"]

    def __str__(self):
        return f"{self.login_key} ({self.locked_at:%Y-%m-%d %H:%M})"


class ThrottleEvent(models.Model):
    """One request for a recovery mail, counted to rate-limit such requests.

    The key is a keyed hash of the Nutzerkennung, address or IP address, so
    the table holds no personal data in clear.
    """

    scope = models.CharField(_("scope"), max_length=40)
    key_digest = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("throttle event")
        verbose_name_plural = _("throttle events")
        indexes = [models.Index(fields=["scope", "key_digest", "created_at"])]

    def __str__(self):
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"


class Session(AbstractBaseSession):
    """A database session that names its account in a column of its own.

    Django keeps the account only inside the encoded session data; with the
    column, the session and its account are read in one statement on every
    signed-in request (``portal.sessions.SessionStore``). Deleting an account
    deletes its sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        # As in Django's own table, writing a session never fails on its
        # account: SessionStore.create draws key after key on an integrity
        # error, and would never end for an account deleted meanwhile. The
        # ORM still deletes the sessions with their account.
        db_constraint=False,
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "portal_session"

    @classmethod
    def get_session_store_class(cls):
        from portal.sessions import SessionStore

        return SessionStore
