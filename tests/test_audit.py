import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.audit import (
    acting_as,
    purge_audit_entries_daily,
    purge_expired_entries,
    schedule_daily_purge,
)
from accounts.audit_labels import ACTION_LABELS
from accounts.models import AuditEntry
from accounts.roles import TRAINING_OFFICE, TRAINING_OFFICER
from tests.conftest import log_in_with_second_factor
from tests.factories import TEST_PASSWORD, MinistryFactory, UserFactory

WRONG_PASSWORD = "Falsches-Kennwort-42"


def login(client, username, password):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}
    )


def entries(action, target=None):
    found = AuditEntry.objects.filter(action=action)
    if target is not None:
        found = found.filter(target_id=str(target.pk))
    return list(found)


def all_audit_text():
    return json.dumps(
        list(AuditEntry.objects.values("action", "target_type", "target_id", "data")),
        default=str,
    )


def test_login_is_recorded_with_actor_and_target(client, db):
    user = UserFactory(login_id="10000001")

    login(client, "10000001", TEST_PASSWORD)

    (entry,) = entries("account.logged_in")
    assert entry.actor == user
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(user.pk))
    assert entry.created_at is not None


def test_failed_login_names_the_account_but_not_the_password(client, db):
    user = UserFactory(login_id="10000001")

    login(client, " 10000001", WRONG_PASSWORD)

    (entry,) = entries("account.login_failed")
    assert entry.actor is None
    assert entry.target_id == str(user.pk)
    assert WRONG_PASSWORD not in all_audit_text()


def test_failed_login_for_an_unknown_login_id_keeps_nothing_of_it(client, db):
    login(client, "Erika.Muster99", WRONG_PASSWORD)

    (entry,) = entries("account.login_failed")
    assert (entry.target_type, entry.target_id, entry.data) == ("", "", {})
    assert "muster99" not in all_audit_text().lower()


def test_attempts_during_a_lock_are_not_recorded(client, db, settings):
    UserFactory(login_id="10000001")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "10000001", WRONG_PASSWORD)

    login(client, "10000001", WRONG_PASSWORD)
    login(client, "10000001", TEST_PASSWORD)

    assert len(entries("account.login_failed")) == settings.AXES_FAILURE_LIMIT
    assert len(entries("account.locked")) == 1
    assert not entries("account.logged_in")


def test_logout_is_recorded(client, db):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("accounts:logout"))

    (entry,) = entries("account.logged_out")
    assert entry.actor == user


def test_password_reset_leaves_no_token_or_password_in_the_trail(client, db):
    user = UserFactory(login_id="10000001")
    client.post(reverse("accounts:password_reset"), {"login_id": "10000001"})
    link = re.search(r"https?://\S+/kennwort-vergessen/\S+/", mail.outbox[-1].body)
    token_path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    new_password = "Neues-Kennwort-2026-x"

    form_url = client.get("/" + token_path, follow=True).redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": new_password, "new_password2": new_password}
    )

    assert entries("account.password_reset_requested")
    assert entries("account.password_reset_completed")[0].actor == user
    text = all_audit_text()
    assert new_password not in text
    assert token_path.rstrip("/").rsplit("/", 1)[-1] not in text
    assert user.email not in text


def test_group_and_flag_changes_name_the_acting_person(db, role_groups):
    officer = UserFactory(is_staff=True)
    account = UserFactory()

    with acting_as(officer):
        account.groups.add(Group.objects.get(name=TRAINING_OFFICER))
        account.is_staff = True
        account.save()

    (groups,) = entries("account.groups_changed")
    assert groups.actor == officer
    assert groups.target_id == str(account.pk)
    assert groups.data == {"added": [TRAINING_OFFICER]}
    (access,) = entries("account.access_changed", target=account)
    assert access.actor == officer
    assert access.data == {"is_staff": [False, True]}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda user, group: user.groups.remove(group), {"removed": [TRAINING_OFFICE]}),
        (lambda user, group: user.groups.clear(), {"removed": [TRAINING_OFFICE]}),
        (
            lambda user, group: group.user_set.remove(user),
            {"removed": [TRAINING_OFFICE]},
        ),
    ],
    ids=["remove", "clear", "from the group"],
)
def test_losing_a_group_is_recorded(db, role_groups, change, expected):
    group = Group.objects.get(name=TRAINING_OFFICE)
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    AuditEntry.objects.all().delete()

    change(user, group)

    (entry,) = entries("account.groups_changed")
    assert entry.target_id == str(user.pk)
    assert entry.data == expected


def test_permission_changes_of_accounts_and_groups_are_recorded(db):
    user = UserFactory()
    group = Group.objects.create(name="Prüfer")
    permission = Permission.objects.get(codename="view_auditentry")

    user.user_permissions.add(permission)
    group.permissions.add(permission)

    assert entries("account.permissions_changed")[0].data == {
        "added": ["accounts.view_auditentry"]
    }
    assert entries("group.permissions_changed")[0].target_id == str(group.pk)


def test_new_superuser_is_recorded_but_ordinary_sign_ups_are_not(db):
    UserFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)

    (entry,) = entries("account.access_changed")
    assert entry.target_id == str(admin.pk)
    assert entry.data == {"is_staff": [None, True], "is_superuser": [None, True]}


def test_ressort_change_in_the_admin_is_recorded_with_the_admin_as_actor(
    client, db, role_groups
):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    account = UserFactory()
    other = MinistryFactory(code="KM", name="Kultusministerium", abbreviation="KM")
    log_in_with_second_factor(client, superuser)
    url = reverse("admin:accounts_user_change", args=[account.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "last_login", "date_joined"}
    }
    data.update(
        ministry=other.pk,
        is_staff="on",
        groups=[Group.objects.get(name=TRAINING_OFFICER).pk],
        user_permissions=[],
    )
    for flag in ("is_active", "must_reset_password", "is_superuser"):
        data.pop(flag, None)
    data["is_active"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    (access,) = entries("account.access_changed", target=account)
    assert access.actor == superuser
    assert access.data == {
        "is_staff": [False, True],
        "ministry_id": [account.ministry_id, other.pk],
    }
    (groups,) = entries("account.groups_changed")
    assert groups.actor == superuser


@pytest.fixture
def training_office(db, role_groups, client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=TRAINING_OFFICE))
    return log_in_with_second_factor(client, user)


def test_training_office_reads_entries(training_office):
    entry = AuditEntry.objects.create(action="account.unlocked", data={"a": 1})

    listing = training_office.get(reverse("admin:accounts_auditentry_changelist"))
    detail = training_office.get(
        reverse("admin:accounts_auditentry_change", args=[entry.pk])
    )

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert "Konto entsperrt" in detail.content.decode()


def test_every_recorded_action_has_a_german_name(training_office):
    source = "\n".join(
        path.read_text()
        for app in ("accounts", "courses", "orgunits", "pages", "portal")
        for path in (settings_module_dir() / app).rglob("*.py")
    )
    recorded = set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', source))
    target = UserFactory()
    for action in recorded:
        AuditEntry.objects.create(
            action=action, target_type="accounts.user", target_id=str(target.pk)
        )

    listing = training_office.get(
        reverse("admin:accounts_auditentry_changelist"),
        {"all": ""},
        headers={"accept-language": "de"},
    )

    html = listing.content.decode()
    assert recorded, "no recorded actions found in the source"
    assert recorded <= set(ACTION_LABELS)
    for action in recorded:
        assert f">{action}<" not in html
    assert ">accounts.user<" not in html
    assert ">Konto<" in html


def settings_module_dir():
    from django.conf import settings

    return settings.BASE_DIR


@pytest.mark.parametrize(
    ("url_name", "with_entry"),
    [
        ("admin:accounts_auditentry_add", False),
        ("admin:accounts_auditentry_change", True),
        ("admin:accounts_auditentry_delete", True),
    ],
)
def test_nobody_changes_the_trail_in_the_admin(client, db, url_name, with_entry):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    log_in_with_second_factor(client, superuser)
    entry = AuditEntry.objects.create(action="account.unlocked")
    args = [entry.pk] if with_entry else []

    response = client.post(
        reverse(url_name, args=args), {"action": "forged", "post": "yes"}
    )

    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, action="account.unlocked").exists()


def test_purge_removes_only_entries_past_the_retention(db, settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = AuditEntry.objects.create(
        action="account.logged_in", created_at=now - timedelta(days=31)
    )
    kept = AuditEntry.objects.create(
        action="account.logged_in", created_at=now - timedelta(days=29)
    )

    removed = purge_expired_entries(now=now)

    assert removed == 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert entries("audit.purged")[0].data["removed"] == 1


def test_retention_defaults_to_180_days():
    from portal import settings as portal_settings

    assert portal_settings.PORTAL_AUDIT_RETENTION_DAYS == 180


def test_purge_command_reports_the_count(db):
    AuditEntry.objects.create(
        action="account.logged_in", created_at=timezone.now() - timedelta(days=400)
    )

    from io import StringIO

    out = StringIO()
    call_command("purge_audit_entries", stdout=out)

    assert "1 audit entries older than 180 days removed." in out.getvalue()


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "ENQUEUE_ON_COMMIT": False,
        }
    }


def waiting_purges():
    return DBTaskResult.objects.filter(
        status="READY", task_path=purge_audit_entries_daily.module_path
    )


def test_scheduling_the_daily_purge_twice_queues_it_once(db, database_tasks):
    first = schedule_daily_purge()
    second = schedule_daily_purge()

    assert (first, second) == (True, False)
    (queued,) = waiting_purges()
    assert queued.run_after > timezone.now() + timedelta(hours=23)


def test_daily_purge_purges_and_queues_its_next_run(db, database_tasks):
    AuditEntry.objects.create(
        action="account.logged_in", created_at=timezone.now() - timedelta(days=400)
    )

    purge_audit_entries_daily.func()

    assert not AuditEntry.objects.filter(action="account.logged_in").exists()
    assert waiting_purges().count() == 1


def test_purge_command_schedules_the_daily_run(db, database_tasks):
    call_command("purge_audit_entries", "--schedule", stdout=None)
    call_command("purge_audit_entries", "--schedule", stdout=None)

    assert waiting_purges().count() == 1


def test_immediate_backend_queues_no_endless_chain(db):
    assert schedule_daily_purge() is False
