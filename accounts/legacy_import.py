"""Import of accounts from the portal's predecessor (before November 2021).

Imported accounts carry ``must_reset_password`` and no usable password: they
log in only after "Kennwort vergessen".
"""

import csv
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.audit import record
from accounts.identifiers import (
    login_id_key,
    normalize_login_id,
    normalize_personnel_number,
)
from accounts.models import login_id_validator
from accounts.services import fitting_org_unit
from orgunits.models import CareerGroup, OrgUnit, ServiceOffice

logger = logging.getLogger(__name__)

COLUMNS = [
    "personnel_number",
    "login_id",
    "last_name",
    "first_name",
    "email",
    "service_office",
    "career_group",
    "org_unit",
]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rejected: list = field(default_factory=list)


class RowError(Exception):
    pass


class LegacyAccountReader:
    """Validate rows against the reference data and against each other."""

    def __init__(self):
        self.offices = {office.code: office for office in ServiceOffice.objects.all()}
        self.career_groups = {group.code: group for group in CareerGroup.objects.all()}
        self.org_units = {
            (unit.service_office.code, unit.career_group.code): unit
            for unit in OrgUnit.objects.select_related("service_office", "career_group")
        }
        self.seen_numbers = {}
        self.seen_login_keys = {}

    def parse(self, line_number, row):
        number = self.personnel_number(row)
        login_id = normalize_login_id(row["login_id"]) or number
        try:
            login_id_validator(login_id)
        except ValidationError as error:
            raise RowError(f"Nutzerkennung: {error.messages[0]}") from error
        last_name = row["last_name"].strip()
        if not last_name:
            raise RowError("last name is empty")
        email = row["email"].strip()
        try:
            validate_email(email)
        except ValidationError as error:
            raise RowError("e-mail address is invalid or empty") from error

        office = self.offices.get(row["service_office"].strip())
        if office is None:
            raise RowError(f"unknown service office {row['service_office']!r}")
        career_group = self.career_groups.get(row["career_group"].strip())
        if career_group is None:
            raise RowError(f"unknown career group {row['career_group']!r}")
        org_unit_code = row["org_unit"].strip()
        if org_unit_code:
            org_unit = self.org_units.get((org_unit_code, career_group.code))
            if org_unit is None:
                raise RowError(f"unknown org unit {org_unit_code!r}")
        else:
            org_unit = fitting_org_unit(
                service_office=office, career_group=career_group
            )

        self.claim(self.seen_numbers, number, line_number, "personnel number")
        self.claim(
            self.seen_login_keys, login_id_key(login_id), line_number, "Nutzerkennung"
        )
        return {
            "personnel_number": number,
            "login_id": login_id,
            "last_name": last_name,
            "first_name": row["first_name"].strip(),
            "email": email,
            "ministry": office.ministry,
            "service_office": office,
            "career_group": career_group,
            "org_unit": org_unit,
        }

    def personnel_number(self, row):
        try:
            return normalize_personnel_number(row["personnel_number"])
        except ValidationError as error:
            raise RowError(
                f"personnel number {row['personnel_number']!r} is invalid"
            ) from error

    def claim(self, seen, key, line_number, what):
        if key in seen:
            raise RowError(f"{what} repeats line {seen[key]}")
        seen[key] = line_number


def read_legacy_accounts(path):
    """Return (valid rows, rejected rows) of a legacy CSV file.

    A rejected row is a (line number, reason) pair.
    """
    reader = LegacyAccountReader()
    valid, rejected = [], []
    with open(path, newline="", encoding="utf-8-sig") as csv_file:
        rows = csv.DictReader(csv_file)
        missing = set(COLUMNS) - set(rows.fieldnames or [])
        if missing:
            raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
        for row in rows:
            try:
                valid.append((rows.line_num, reader.parse(rows.line_num, row)))
            except RowError as error:
                rejected.append((rows.line_num, str(error)))
    return valid, rejected


@transaction.atomic
def import_legacy_accounts(*, rows, progress=None):
    """Create or update one account per row, each under a forced reset.

    An account that already completed its reset keeps its password.
    """
    User = get_user_model()  # noqa: N806 - the model class
    by_number = {
        user.personnel_number: user
        for user in User.objects.filter(anonymised_at__isnull=True).exclude(
            personnel_number=""
        )
    }
    owner_of_login = dict(User.objects.values_list("login_id", "personnel_number"))
    owner_of_login = {login_id_key(k): v for k, v in owner_of_login.items()}
    result = ImportResult()

    for index, (line_number, data) in enumerate(rows, start=1):
        owner = owner_of_login.get(login_id_key(data["login_id"]))
        if owner is not None and owner != data["personnel_number"]:
            result.rejected.append(
                (line_number, "Nutzerkennung belongs to another account")
            )
            continue
        user = by_number.get(data["personnel_number"])
        is_new = user is None
        if is_new:
            user = User(must_reset_password=True)
            user.set_unusable_password()
        for name, value in data.items():
            setattr(user, name, value)
        if user.must_reset_password:
            user.set_unusable_password()
        user.save()
        record(
            actor=None,
            action="account.imported" if is_new else "account.import_updated",
            target=user,
            line=line_number,
        )
        if is_new:
            result.created += 1
        else:
            result.updated += 1
        if progress is not None:
            progress(index)

    logger.info(
        "Legacy accounts imported",
        extra={"accounts_created": result.created, "accounts_updated": result.updated},
    )
    return result
