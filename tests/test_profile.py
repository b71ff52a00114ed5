import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEntry, User
from tests.factories import (
    TEST_PASSWORD,
    MinistryFactory,
    OrgUnitFactory,
    ServiceOfficeFactory,
    UserFactory,
)

PROFILE_URLS = [
    "accounts:profile",
    "accounts:profile_update",
    "accounts:email_change",
    "accounts:password_change",
    "accounts:second_factor",
    "accounts:second_factor_setup",
]


@pytest.fixture
def member(db):
    org_unit = OrgUnitFactory()
    return UserFactory(
        org_unit=org_unit,
        ministry=org_unit.service_office.ministry,
        service_office=ServiceOfficeFactory(
            parent=org_unit.service_office, ministry=org_unit.service_office.ministry
        ),
        career_group=org_unit.career_group,
        phone="0711 1234",
    )


def profile_data(user, **changes):
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "service_office": user.service_office_id,
        **changes,
    }


@pytest.mark.parametrize("name", PROFILE_URLS)
def test_profile_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_shows_all_data_and_who_changes_the_org_unit(client, member):
    client.force_login(member)

    response = client.get(reverse("accounts:profile"))

    html = response.content.decode()
    for value in (
        member.login_id,
        member.personnel_number,
        member.email,
        member.phone,
        str(member.service_office),
        str(member.org_unit),
    ):
        assert value in html
    assert "Nur das Fortbildungsreferat ändert die Organisationseinheit" in html
    assert "fortbildung@example.org" in html


def test_profile_update_saves_names_phone_and_office(client, member):
    client.force_login(member)
    new_office = ServiceOfficeFactory(ministry=member.ministry)
    org_unit = member.org_unit

    response = client.post(
        reverse("accounts:profile_update"),
        profile_data(
            member,
            first_name="Erika Maria",
            last_name="Neuname",
            phone="0761 5555",
            service_office=new_office.pk,
        ),
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.last_name, member.phone) == (
        "Erika Maria",
        "Neuname",
        "0761 5555",
    )
    assert member.service_office == new_office
    assert member.org_unit == org_unit
    entry = AuditEntry.objects.get(action="account.profile_updated")
    assert entry.data["fields"] == [
        "first_name",
        "last_name",
        "phone",
        "service_office",
    ]


def test_profile_update_offers_only_active_offices_of_own_ministry_grouped(
    client, member
):
    own = ServiceOfficeFactory(ministry=member.ministry, parent=member.service_office)
    dissolved = ServiceOfficeFactory(ministry=member.ministry, is_active=False)
    foreign = ServiceOfficeFactory(ministry=MinistryFactory(code="FM", name="FM"))
    client.force_login(member)

    html = client.get(reverse("accounts:profile_update")).content.decode()

    assert f'value="{own.pk}"' in html
    assert f'<optgroup label="{member.service_office}">' in html
    assert f'value="{dissolved.pk}"' not in html
    assert f'value="{foreign.pk}"' not in html


def test_profile_update_rejects_office_of_another_ministry(client, member):
    foreign = ServiceOfficeFactory(ministry=MinistryFactory(code="FM", name="FM"))
    client.force_login(member)

    response = client.post(
        reverse("accounts:profile_update"),
        profile_data(member, service_office=foreign.pk),
    )

    assert response.status_code == 200
    assert "service_office" in response.context["form"].errors
    member.refresh_from_db()
    assert member.service_office != foreign


def test_profile_update_ignores_fields_that_are_not_on_the_form(client, member):
    other_unit = OrgUnitFactory(service_office__ministry=member.ministry)
    finance = MinistryFactory(code="FM", name="FM")
    group = Group.objects.create(name="Fortbildungsreferat")
    client.force_login(member)
    before = User.objects.values().get(pk=member.pk)

    response = client.post(
        reverse("accounts:profile_update"),
        profile_data(
            member,
            org_unit=other_unit.pk,
            ministry=finance.pk,
            personnel_number="99999999",
            login_id="taken-over",
            email="attacker@example.org",
            is_staff="on",
            is_superuser="on",
            is_active="",
            groups=[group.pk],
            user_permissions=[1],
            anonymised_at="2020-01-01",
        ),
    )

    assert response.status_code == 302
    assert User.objects.values().get(pk=member.pk) == before
    assert not member.groups.exists()
    assert not member.user_permissions.exists()


def test_email_change_needs_the_current_password(client, member):
    client.force_login(member)

    response = client.post(
        reverse("accounts:email_change"),
        {"email": "neu@example.org", "password": "wrong-password"},
    )

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert mail.outbox == []


def request_change(client, user, email="neu@example.org"):
    client.force_login(user)
    client.post(
        reverse("accounts:email_change"), {"email": email, "password": TEST_PASSWORD}
    )
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def test_email_change_mails_a_link_to_the_new_address_only(client, member):
    old_email = member.email

    link = request_change(client, member)

    assert [message.to for message in mail.outbox] == [["neu@example.org"]]
    assert link.startswith("http://127.0.0.1:8000/konto/e-mail-bestaetigen/")
    member.refresh_from_db()
    assert member.email == old_email


def test_email_change_link_opened_changes_nothing_until_confirmed(client, member):
    link = request_change(client, member)
    path = link.removeprefix("http://127.0.0.1:8000")

    response = client.get(path)

    assert "neu@example.org" in response.content.decode()
    member.refresh_from_db()
    assert member.email != "neu@example.org"


def test_confirmed_email_change_applies_and_tells_the_old_address(client, member):
    old_email = member.email
    path = request_change(client, member).removeprefix("http://127.0.0.1:8000")
    client.logout()

    response = client.post(path)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "neu@example.org"
    assert mail.outbox[-1].to == [old_email]
    assert "neu@example.org" not in mail.outbox[-1].body
    assert AuditEntry.objects.filter(action="account.email_changed").count() == 1


def test_email_change_link_works_once(client, member):
    path = request_change(client, member).removeprefix("http://127.0.0.1:8000")
    client.post(path)
    member.email = "dritte@example.org"
    member.save()

    response = client.post(path)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email == "dritte@example.org"


def test_tampered_email_change_link_is_refused(client, member):
    path = request_change(client, member).removeprefix("http://127.0.0.1:8000")

    response = client.post(
        path.replace("/e-mail-bestaetigen/", "/e-mail-bestaetigen/x")
    )

    assert response.status_code == 200
    assert "nicht mehr gültig" in response.content.decode()
    member.refresh_from_db()
    assert member.email != "neu@example.org"


def test_password_change_requires_the_current_password(client, member):
    client.force_login(member)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong-password",
            "new_password1": "Ganz-neues-Kennwort-42",
            "new_password2": "Ganz-neues-Kennwort-42",
        },
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


def test_password_change_keeps_the_session_and_records_it(client, member):
    client.force_login(member)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Ganz-neues-Kennwort-42",
            "new_password2": "Ganz-neues-Kennwort-42",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Ganz-neues-Kennwort-42")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEntry.objects.filter(action="account.password_changed").exists()


def test_password_change_is_told_to_the_owner(client, member):
    client.force_login(member)

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Ganz-neues-Kennwort-42",
            "new_password2": "Ganz-neues-Kennwort-42",
        },
    )

    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "Jede andere Sitzung Ihres Kontos wurde beendet" in message.body
    assert "Ganz-neues-Kennwort-42" not in message.body


def test_refused_password_change_tells_nobody(client, member):
    client.force_login(member)

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "falsch",
            "new_password1": "Ganz-neues-Kennwort-42",
            "new_password2": "Ganz-neues-Kennwort-42",
        },
    )

    assert mail.outbox == []


def test_guessing_the_current_password_is_stopped_within_a_session(
    client, member, settings
):
    settings.PORTAL_CURRENT_PASSWORD_LIMIT = 3
    client.force_login(member)
    url = reverse("accounts:password_change")
    for guess in ["Rate-Versuch-0001", "Rate-Versuch-0002", "Rate-Versuch-0003"]:
        client.post(
            url,
            {
                "old_password": guess,
                "new_password1": "Ganz-neues-Kennwort-42",
                "new_password2": "Ganz-neues-Kennwort-42",
            },
        )

    # Even the right password is refused now, so a guess cannot be confirmed.
    response = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Ganz-neues-Kennwort-42",
            "new_password2": "Ganz-neues-Kennwort-42",
        },
    )

    assert response.status_code == 200
    assert "zu oft falsch eingegeben" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)
    # The same count guards every form that asks for the current password.
    response = client.post(
        reverse("accounts:email_change"),
        {"email": "neu@example.org", "password": TEST_PASSWORD},
    )
    assert "zu oft falsch eingegeben" in response.content.decode()


def test_wrong_current_passwords_of_one_account_do_not_stop_another(
    client, member, settings
):
    settings.PORTAL_CURRENT_PASSWORD_LIMIT = 1
    other = UserFactory()
    client.force_login(other)
    client.post(
        reverse("accounts:email_change"),
        {"email": "neu@example.org", "password": "Falsches-Kennwort-1"},
    )
    client.force_login(member)

    response = client.post(
        reverse("accounts:email_change"),
        {"email": "neu@example.org", "password": TEST_PASSWORD},
    )

    assert response.status_code == 302


def test_new_password_must_differ_from_the_current_one(client, member):
    client.force_login(member)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": TEST_PASSWORD,
            "new_password2": TEST_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password1"]
    assert mail.outbox == []
