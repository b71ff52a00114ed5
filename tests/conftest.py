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


@pytest.fixture
def role_groups(db):
    """Set up the groups Fortbildungsreferat and Bildungsverantwortliche."""
    from accounts.services import set_up_role_groups

    return set_up_role_groups()


@pytest.fixture
def login_verified():
    """Log a user in with a confirmed authenticator app, as the admin needs."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(client, user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login
