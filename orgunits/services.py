"""Loading of the reference data that ships with the portal."""

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from orgunits.models import CareerGroup, Ministry, OrgUnit, ServiceOffice

logger = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"

MINISTRY_COLUMNS = ("code", "name", "abbreviation")
CAREER_GROUP_COLUMNS = ("code", "name", "short_name", "status")
SERVICE_OFFICE_COLUMNS = (
    "code",
    "xjustiz_code",
    "name",
    "common_name",
    "kind",
    "parent_code",
    "town",
    "status",
    "ministry",
)


class ServiceOfficeStatus:
    ACTIVE = "active"
    ALL = frozenset({"active", "aufgelöst", "obsolet"})


class ReferenceDataError(Exception):
    """A reference data file that cannot be loaded, with where and why."""

    def __init__(self, path, line, reason):
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class LoadResult:
    ministries: int
    career_groups: int
    service_offices: int
    org_units: int


def _read_rows(path, columns):
    """Return (line number, row) pairs after checking the header and codes."""
    if not path.exists():
        raise ReferenceDataError(path, None, "file not found")

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            column for column in columns if column not in (reader.fieldnames or [])
        ]
        if missing:
            raise ReferenceDataError(
                path, 1, f"missing column(s): {', '.join(missing)}"
            )
        rows = [(reader.line_num, row) for row in reader]

    seen = {}
    for line, row in rows:
        if None in row or any(row[column] is None for column in columns):
            raise ReferenceDataError(path, line, "wrong number of fields")
        code = row["code"].strip()
        if not code:
            raise ReferenceDataError(path, line, "empty code")
        if not row["name"].strip():
            raise ReferenceDataError(path, line, "empty name")
        if code in seen:
            raise ReferenceDataError(
                path, line, f"duplicate code {code!r} (first on line {seen[code]})"
            )
        seen[code] = line
    return rows


def _check_offices(path, office_rows, ministry_codes):
    parent_of = {
        row["code"].strip(): row["parent_code"].strip() for _, row in office_rows
    }
    for line, row in office_rows:
        code = row["code"].strip()
        parent = row["parent_code"].strip()
        if row["ministry"].strip() not in ministry_codes:
            raise ReferenceDataError(
                path, line, f"unknown ministry {row['ministry'].strip()!r}"
            )
        if row["status"].strip() not in ServiceOfficeStatus.ALL:
            raise ReferenceDataError(path, line, f"unknown status {row['status']!r}")
        if parent and parent not in parent_of:
            raise ReferenceDataError(path, line, f"unknown superior office {parent!r}")

        seen = {code}
        while parent:
            if parent in seen:
                raise ReferenceDataError(
                    path, line, f"superior offices of {code!r} form a cycle"
                )
            seen.add(parent)
            parent = parent_of[parent]


@transaction.atomic
def load_reference_data(*, data_dir=DEFAULT_DATA_DIR):
    """Create or update ministries, career groups, service offices, org units.

    Every file is checked before anything is written; a bad file raises
    ReferenceDataError and leaves the database as it was.
    """
    data_dir = Path(data_dir)
    ministry_rows = _read_rows(data_dir / "ministries.csv", MINISTRY_COLUMNS)
    group_rows = _read_rows(data_dir / "career_groups.csv", CAREER_GROUP_COLUMNS)
    office_path = data_dir / "service_offices.csv"
    office_rows = _read_rows(office_path, SERVICE_OFFICE_COLUMNS)
    _check_offices(
        office_path, office_rows, {row["code"].strip() for _, row in ministry_rows}
    )

    ministries = {}
    for _, row in ministry_rows:
        ministries[row["code"].strip()], _ = Ministry.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name": row["name"].strip(),
                "abbreviation": row["abbreviation"].strip(),
            },
        )

    career_groups = []
    for position, (_, row) in enumerate(group_rows):
        group, _ = CareerGroup.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name": row["name"].strip(),
                "short_name": row["short_name"].strip(),
                "is_active": row["status"].strip() == "active",
                "position": position,
            },
        )
        career_groups.append(group)

    offices = {}
    for _, row in office_rows:
        offices[row["code"].strip()], _ = ServiceOffice.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "xjustiz_code": row["xjustiz_code"].strip(),
                "name": row["name"].strip(),
                "common_name": row["common_name"].strip(),
                "kind": row["kind"].strip(),
                "town": row["town"].strip(),
                "is_active": row["status"].strip() == ServiceOfficeStatus.ACTIVE,
                "ministry": ministries[row["ministry"].strip()],
                "parent": None,
            },
        )
    for _, row in office_rows:
        parent_code = row["parent_code"].strip()
        if parent_code:
            office = offices[row["code"].strip()]
            office.parent = offices[parent_code]
            office.save(update_fields=["parent"])

    org_units = 0
    for office in offices.values():
        if office.kind not in ServiceOffice.ORG_UNIT_KINDS or not office.is_active:
            continue
        for group in career_groups:
            if group.is_active:
                OrgUnit.objects.get_or_create(service_office=office, career_group=group)
                org_units += 1

    result = LoadResult(
        ministries=len(ministries),
        career_groups=len(career_groups),
        service_offices=len(offices),
        org_units=org_units,
    )
    logger.info("Reference data loaded", extra={"counts": result.__dict__})
    return result
