import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

HEADER = (
    "personnel_number,login_id,last_name,first_name,email,service_office,"
    "career_group,org_unit\n"
)
GOOD = "01234567/123A,,Muster,Erika,erika@example.org,B1101,GD,\n"
CHOSEN = "07654321,max.beispiel,Beispiel,Max,max@example.org,B1101,MD,B1100\n"


@pytest.fixture
def csv_file(tmp_path, reference_data):
    def write(*rows):
        path = tmp_path / "alt.csv"
        path.write_text(HEADER + "".join(rows), encoding="utf-8")
        return str(path)

    return write


def test_import_creates_accounts_under_a_forced_reset(csv_file, capsys):
    call_command("import_legacy_accounts", csv_file(GOOD, CHOSEN))

    erika = User.objects.get(login_id="01234567")
    assert erika.must_reset_password is True
    assert not erika.has_usable_password()
    assert erika.service_office.code == "B1101"
    assert erika.org_unit.service_office.code == "B1100"
    assert User.objects.get(login_id="max.beispiel").career_group.code == "MD"
    assert "2 created, 0 updated, 0 rejected." in capsys.readouterr().out


def test_imported_account_cannot_log_in_with_any_password(client, csv_file):
    call_command("import_legacy_accounts", csv_file(GOOD))

    response = client.post(
        reverse("accounts:login"), {"username": "01234567", "password": ""}
    )
    other = client.post(
        reverse("accounts:login"),
        {"username": "01234567", "password": TEST_PASSWORD},
    )

    assert response.status_code == other.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("1234567,,Muster,Erika,e@example.org,B1101,GD,\n", "personnel number"),
        ("01234567,,Muster,Erika,keine-adresse,B1101,GD,\n", "e-mail"),
        ("01234567,,Muster,Erika,e@example.org,NOPE,GD,\n", "service office"),
        ("01234567,,Muster,Erika,e@example.org,B1101,XX,\n", "career group"),
        ("01234567,,Muster,Erika,e@example.org,B1101,GD,NOPE\n", "org unit"),
        ("01234567,ä b,Muster,Erika,e@example.org,B1101,GD,\n", "Nutzerkennung"),
        ("01234567,,,Erika,e@example.org,B1101,GD,\n", "last name"),
        (GOOD, "repeats line 2"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(csv_file, capsys, row, reason):
    with pytest.raises(CommandError):
        call_command("import_legacy_accounts", csv_file(GOOD, row))

    err = capsys.readouterr().err
    assert "line 3" in err
    assert reason in err
    assert not User.objects.exists()


def test_reason_names_line_and_cause(csv_file, capsys):
    bad = "01234567,,Muster,Erika,e@example.org,NOPE,GD,\n"

    with pytest.raises(CommandError):
        call_command("import_legacy_accounts", csv_file(CHOSEN, bad))

    assert "alt.csv, line 3: unknown service office 'NOPE'" in capsys.readouterr().err


def test_skip_invalid_imports_the_good_rows(csv_file, capsys):
    bad = "1234567,,Muster,Erika,e@example.org,B1101,GD,\n"

    call_command("import_legacy_accounts", csv_file(GOOD, bad), "--skip-invalid")

    assert User.objects.count() == 1
    assert "1 created, 0 updated, 1 rejected." in capsys.readouterr().out


def test_import_again_updates_and_keeps_a_completed_reset(csv_file):
    path = csv_file(GOOD)
    call_command("import_legacy_accounts", path)
    erika = User.objects.get()
    erika.set_password(TEST_PASSWORD)
    erika.must_reset_password = False
    erika.save()

    call_command("import_legacy_accounts", path)

    erika.refresh_from_db()
    assert User.objects.count() == 1
    assert erika.check_password(TEST_PASSWORD)
    assert erika.must_reset_password is False


def test_login_id_of_another_person_is_rejected(csv_file):
    UserFactory(login_id="max.beispiel", personnel_number="99999999")

    with pytest.raises(CommandError):
        call_command("import_legacy_accounts", csv_file(CHOSEN))

    assert User.objects.count() == 1


def test_large_file_shows_progress(csv_file, capsys):
    rows = [
        f"{30000000 + n},,Muster{n},Erika,m{n}@example.org,B1101,GD,\n"
        for n in range(2001)
    ]

    call_command("import_legacy_accounts", csv_file(*rows))

    out = capsys.readouterr().out
    assert "1000/2001 rows written" in out
    assert "2001/2001 rows written" in out
    assert User.objects.count() == 2001
