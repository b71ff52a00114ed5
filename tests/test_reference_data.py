import shutil

import pytest
from django.core.management import CommandError, call_command

from orgunits.models import CareerGroup, Ministry, OrgUnit, ServiceOffice
from orgunits.services import DEFAULT_DATA_DIR, ReferenceDataError, load_reference_data


@pytest.fixture
def data_dir(tmp_path):
    """A writable copy of the shipped reference data."""
    for name in ("ministries.csv", "career_groups.csv", "service_offices.csv"):
        shutil.copy(DEFAULT_DATA_DIR / name, tmp_path / name)
    return tmp_path


def _append(path, line):
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.mark.django_db
def test_loads_the_justice_service_offices_with_their_hierarchy():
    load_reference_data()

    amtsgericht = ServiceOffice.objects.get(code="B1101")
    assert amtsgericht.parent.code == "B1100"
    assert amtsgericht.parent.parent.code == "B1000"
    assert amtsgericht.ministry.code == "JUM"
    assert amtsgericht.org_unit_office.code == "B1100"
    assert Ministry.objects.count() == 12
    assert ServiceOffice.objects.filter(kind="AG", is_active=True).count() == 108


@pytest.mark.django_db
def test_dissolved_offices_are_kept_but_not_selectable():
    load_reference_data()

    dissolved = ServiceOffice.objects.get(code="B1301")
    assert dissolved.is_active is False
    assert dissolved not in ServiceOffice.objects.selectable()


@pytest.mark.django_db
def test_einfacher_dienst_is_only_a_legacy_value():
    load_reference_data()

    assert CareerGroup.objects.get(code="ED").is_active is False
    assert not OrgUnit.objects.filter(career_group__code="ED").exists()


@pytest.mark.django_db
def test_rerun_updates_instead_of_duplicating():
    load_reference_data()
    counts = (
        Ministry.objects.count(),
        ServiceOffice.objects.count(),
        OrgUnit.objects.count(),
    )
    ServiceOffice.objects.filter(code="B1000").update(name="Falscher Name")

    load_reference_data()

    assert (
        Ministry.objects.count(),
        ServiceOffice.objects.count(),
        OrgUnit.objects.count(),
    ) == counts
    assert ServiceOffice.objects.get(code="B1000").name == "Oberlandesgericht Karlsruhe"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file_name", "bad_line", "reason"),
    [
        (
            "service_offices.csv",
            "B9999,B9999,Amtsgericht Nirgendwo,,AG,B0000,Nirgendwo,active,JUM",
            "unknown superior office 'B0000'",
        ),
        (
            "service_offices.csv",
            "B1000,B1000,Oberlandesgericht Doppelt,,OLG,X-MJ,Karlsruhe,active,JUM",
            "duplicate code 'B1000'",
        ),
        (
            "service_offices.csv",
            "B9998,,Amtsgericht Irgendwo,,AG,B1100,Irgendwo,active,XX",
            "unknown ministry 'XX'",
        ),
        ("ministries.csv", "JUM,Noch ein Justizministerium,MJ", "duplicate code 'JUM'"),
        ("career_groups.csv", ",Ohne Code,ohne,active", "empty code"),
    ],
)
def test_bad_file_stops_the_load_with_file_line_and_reason(
    data_dir, file_name, bad_line, reason
):
    path = data_dir / file_name
    _append(path, bad_line)
    line_number = len(path.read_text(encoding="utf-8").splitlines())

    with pytest.raises(ReferenceDataError) as excinfo:
        load_reference_data(data_dir=data_dir)

    assert excinfo.value.path == path
    assert excinfo.value.line == line_number
    assert reason in excinfo.value.reason
    assert not ServiceOffice.objects.exists()
    assert not Ministry.objects.exists()


@pytest.mark.django_db
def test_missing_column_is_reported(data_dir):
    path = data_dir / "service_offices.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8"
    )

    with pytest.raises(ReferenceDataError, match="missing column"):
        load_reference_data(data_dir=data_dir)


@pytest.mark.django_db
def test_cycle_in_hierarchy_is_refused(data_dir):
    path = data_dir / "service_offices.csv"
    text = path.read_text(encoding="utf-8").replace(
        "B1000,B1000,Oberlandesgericht Karlsruhe,OLG Karlsruhe,OLG,X-MJ,",
        "B1000,B1000,Oberlandesgericht Karlsruhe,OLG Karlsruhe,OLG,B1101,",
    )
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ReferenceDataError, match="cycle"):
        load_reference_data(data_dir=data_dir)


@pytest.mark.django_db
def test_bad_file_leaves_earlier_data_untouched(data_dir):
    load_reference_data()
    _append(
        data_dir / "service_offices.csv",
        "B9999,B9999,Amtsgericht Nirgendwo,,AG,B0000,Nirgendwo,active,JUM",
    )
    (data_dir / "ministries.csv").write_text(
        (data_dir / "ministries.csv")
        .read_text(encoding="utf-8")
        .replace("Ministerium für Verkehr", "Umbenannt"),
        encoding="utf-8",
    )

    with pytest.raises(ReferenceDataError):
        load_reference_data(data_dir=data_dir)

    assert Ministry.objects.get(code="VM").name == "Ministerium für Verkehr"


@pytest.mark.django_db
def test_command_reports_the_error_and_writes_nothing(data_dir):
    _append(
        data_dir / "service_offices.csv",
        "B9999,B9999,Amtsgericht Nirgendwo,,AG,B0000,Nirgendwo,active,JUM",
    )

    with pytest.raises(CommandError, match=r"service_offices\.csv, line \d+"):
        call_command("load_reference_data", data_dir=str(data_dir))

    assert not ServiceOffice.objects.exists()
