"""Prepared statements survive a column's type changing under them."""

import psycopg
import pytest
from django.db import connection, connections, transaction

from accounts.models import User
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
    ),
]


@pytest.fixture
def phone_type_changed_meanwhile():
    """Change accounts_user.phone's type from another connection, as a
    release's migration does while the old version still serves."""
    column = User._meta.get_field("phone")
    params = connections["default"].get_connection_params()

    def alter(type_):
        # A connection of its own: psycopg forgets its prepared statements
        # when it sees an ALTER on the same one.
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute(f"ALTER TABLE accounts_user ALTER COLUMN phone TYPE {type_}")

    yield lambda: alter("varchar(250)")
    alter(f"varchar({column.max_length})")


def read(pk):
    return User.objects.filter(pk=pk).values_list("phone", flat=True).get()


def test_prepared_statements_are_on():
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] == 5


def test_a_kept_plan_of_a_changed_column_is_replaced(phone_type_changed_meanwhile):
    user = UserFactory(phone="0711 123")
    for _ in range(6):  # prepared from the fifth time on
        read(user.pk)

    phone_type_changed_meanwhile()

    assert read(user.pk) == "0711 123"
    assert read(user.pk) == "0711 123"


def test_inside_a_transaction_only_that_transaction_fails(
    phone_type_changed_meanwhile,
):
    user = UserFactory(phone="0711 123")
    for _ in range(6):
        read(user.pk)
    phone_type_changed_meanwhile()

    with pytest.raises(Exception, match="cached plan"), transaction.atomic():
        read(user.pk)

    assert read(user.pk) == "0711 123"
