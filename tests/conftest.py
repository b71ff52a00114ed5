import pytest

from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def employee(db):
    return UserFactory()


@pytest.fixture
def reference_data(db):
    """Load the reference data that ships with the portal."""
    from orgunits.services import load_reference_data

    return load_reference_data()
