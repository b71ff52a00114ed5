"""Create a bench database once: schema, reference data, generated data set.

    python -m bench.generate [--small] [--rebuild]

A finished database carries a comment with the data set's version, size and
seed; a database with the same comment is left alone, one without it (a run
that was interrupted) is dropped and built again.
"""

import argparse
import json
import os
import sys
import time

import psycopg
from psycopg import sql

from bench.environment import (
    SEED,
    database_name,
    database_url,
    maintenance_url,
    portal_env,
    setup_django,
)

# Bump when the generator changes, so that old databases are rebuilt.
DATASET_VERSION = 3


def marker(url):
    """Return the data set's description stored on the database, or None."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError:
        return None
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def expected_marker(fraction, seed):
    return {"dataset": DATASET_VERSION, "fraction": fraction, "seed": seed}


def _is_current(found, expected):
    return found is not None and all(found.get(k) == v for k, v in expected.items())


def recreate_database(url):
    name = database_name(url)
    # Only a database named as a bench one is ever dropped (the default
    # bildungsportal_bench, or e.g. bp_mine_bench and its _small variant).
    if "_bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: not a bench database")
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(url):
    os.environ.update(portal_env(url=url))
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(url, fraction, seed):
    """Migrate, load reference data and generate into a fresh database."""
    os.environ.update(portal_env(url=url))
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bench.dataset import Size, generate
    from orgunits.services import load_reference_data

    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()
    result = generate(size=Size.scaled(fraction), seed=seed)

    description = {
        **expected_marker(fraction, seed),
        "accounts": result.accounts,
        "courses": result.courses,
        "enrollments": result.enrollments,
        "last_enrollment_id": result.last_enrollment_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}")
            .format(sql.Identifier(database_name(url)), json.dumps(description))
            .as_string(cursor.connection)
        )
    return description


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the 1%% variant")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    url = database_url(small=args.small)
    fraction = 0.01 if args.small else 1.0
    seed = SEED if args.seed is None else args.seed
    name = database_name(url)
    if not args.rebuild and _is_current(marker(url), expected_marker(fraction, seed)):
        # New indexes and columns reach a kept data set; new fields whose
        # values the generator should fill need a DATASET_VERSION bump.
        migrate(url)
        print(f"{name}: data set present, migrations applied", file=sys.stderr)
        return

    print(f"{name}: building the data set ({fraction:.0%})", file=sys.stderr)
    started_at = time.monotonic()
    recreate_database(url)
    description = build(url, fraction, seed)
    print(
        f"{name}: {description['accounts']:,} accounts, "
        f"{description['courses']:,} courses, "
        f"{description['enrollments']:,} enrolments "
        f"in {time.monotonic() - started_at:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
