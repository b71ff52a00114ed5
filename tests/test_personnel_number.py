import pytest
from django.core.exceptions import ValidationError

from accounts.identifiers import (
    login_id_key,
    normalize_login_id,
    normalize_personnel_number,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12345678", "12345678"),
        ("00000001", "00000001"),
        ("  01234567  ", "01234567"),
        ("1234 5678", "12345678"),
        ("12345678/123A", "12345678"),
        ("12345678 / 123a", "12345678"),
        ("87654321/200B", "87654321"),
        ("１２３４５６７８", "12345678"),
        ("\u00a012345678\u2003", "12345678"),
    ],
)
def test_personnel_number_is_normalised(typed, stored):
    assert normalize_personnel_number(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1234567",
        "123456789",
        "A1234567",
        "12345678/",
        "12345678/12A",
        "12345678/1234",
        "12345678-123A",
        "1234.5678",
        "٠١٢٣٤٥٦٧",
        "12345678/123A/1",
    ],
)
def test_malformed_personnel_number_is_refused_with_german_message(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalize_personnel_number(typed)

    assert excinfo.value.code == "invalid_personnel_number"
    assert "acht Ziffern" in str(excinfo.value.messages[0])


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("12345678", "12345678"),
        (" 12345678 ", "12345678"),
        ("\t12345678\n", "12345678"),
        ("\u200912345678\u3000", "12345678"),
        ("Erika.Muster", "erika.muster"),
        ("ERIKA.MUSTER ", "erika.muster"),
    ],
)
def test_every_spelling_of_a_login_id_has_one_key(typed, key):
    assert login_id_key(typed) == key


def test_login_id_keeps_its_case_when_stored():
    assert normalize_login_id("  Erika.Muster ") == "Erika.Muster"
