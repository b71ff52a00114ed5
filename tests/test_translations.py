from pathlib import Path

import polib
import pytest

CATALOGUE = (
    Path(__file__).resolve().parent.parent
    / "locale"
    / "de"
    / "LC_MESSAGES"
    / "django.po"
)


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(CATALOGUE))


def test_every_message_has_a_german_translation(catalogue):
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]

    assert missing == []


def test_no_translation_is_fuzzy(catalogue):
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert fuzzy == []
