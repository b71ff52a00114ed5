"""The benchmark's own parts, at a tiny size: generator, page table, report.

The benchmark itself (`make bench`) is not part of the suite; these tests
keep its code working without measuring anything.
"""

from collections import Counter

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from bench import load, report
from bench.dataset import BENCH_LOGIN_ID, BENCH_PASSWORD, Size, generate
from bench.pages import CEILING, PAGES, Fixtures
from bench.progress import Silent
from courses.models import Enrollment

TINY = Size(accounts=80, courses=50, enrollments=600)


@pytest.fixture
def tiny_dataset(reference_data):
    return generate(size=TINY, seed=7, progress=Silent)


def test_generator_creates_the_requested_size(tiny_dataset):
    assert (tiny_dataset.accounts, tiny_dataset.courses) == (80, 50)
    assert tiny_dataset.enrollments >= TINY.enrollments
    assert User.objects.exclude(ministry=None).values("ministry").distinct().count() > 1


def test_generator_gives_the_bench_user_forty_enrolments(tiny_dataset, client):
    response = client.post(
        reverse("accounts:login"),
        {"username": BENCH_LOGIN_ID, "password": BENCH_PASSWORD},
    )

    bench_user = User.objects.get(login_id=BENCH_LOGIN_ID)
    assert response.status_code == 302
    assert bench_user.enrollments.count() == 40
    assert bench_user.enrollments.filter(status__in=Enrollment.ACTIVE_STATUSES).exists()


def test_generator_shares_one_password_hash(tiny_dataset):
    hashes = set(User.objects.values_list("password", flat=True))

    assert len(hashes) == 1


def test_generator_keeps_places_and_waiting_positions_consistent(tiny_dataset):
    seated = Counter(
        Enrollment.objects.filter(status__in=Enrollment.SEATED_STATUSES).values_list(
            "course_id", flat=True
        )
    )
    waiting = list(
        Enrollment.objects.filter(status=Enrollment.Status.WAITLISTED).values_list(
            "course_id", "waitlist_position"
        )
    )

    capacities = dict(
        Enrollment.objects.values_list("course_id", "course__capacity").distinct()
    )
    assert all(count <= capacities[course] for course, count in seated.items())
    assert len(waiting) == len(set(waiting))
    assert Enrollment.objects.values("status").distinct().count() >= 5


def test_page_table_names_the_views_of_this_branch(tiny_dataset):
    fixtures = Fixtures(
        login_id=BENCH_LOGIN_ID,
        password=BENCH_PASSWORD,
        search_term="Workshop",
        course="27-0001",
        cancel_enrollment=1,
        open_course="27-0001",
    )
    unresolved = []

    for page in PAGES:
        try:
            page.path(fixtures)
        except NoReverseMatch:
            unresolved.append(page.name)

    # Only the ceiling is missing: it exists when PORTAL_BENCH_ENDPOINTS is on.
    assert unresolved == [CEILING]


def test_ceiling_page_is_off_unless_enabled():
    with pytest.raises(NoReverseMatch):
        reverse("bench_ceiling")


def test_wrk_script_and_output_round_trip():
    script = load.lua_script(
        method="POST",
        origin="https://127.0.0.1:8150",
        threads=2,
        items=[("/konto/anmelden/", "username=a&password=b", "csrftoken=x")],
    )
    output = (
        "Running 1s test\n"
        f'{load.RESULT_PREFIX}{{"requests": 500, "duration_us": 2000000, '
        '"connect": 0, "read": 0, "write": 0, "status": 3, "timeout": 1, '
        '"p50_us": 1500, "p95_us": 4000, "p99_us": 9000}\n'
    )

    figures = load.parse(output)

    assert '{"/konto/anmelden/", "username=a&password=b", "csrftoken=x"}' in script
    assert (figures.rps, figures.errors, figures.p95_ms) == (250.0, 4, 4.0)


def sample_results():
    page = {
        "name": "catalogue page 1",
        "method": "GET",
        "available": True,
        "target_share": 0.25,
        "rps": 100.0,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "p99_ms": 30.0,
        "errors": 0,
        "share": 0.1,
        "queries_small": 2,
        "queries_full": 2,
    }
    return {
        "run": {
            "started_at": "2026-05-01 10:00 CEST",
            "seconds": 15,
            "warmup": 3,
            "connections": 8,
            "threads": 1,
            "workers": 4,
        },
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "memory_gib": 8,
            "os": "Debian",
            "kernel": "6",
            "python": "3.11",
            "django": "5.2",
            "gunicorn": "23",
            "postgresql": "PostgreSQL 15",
            "wrk": "wrk 4.1.0",
            "load_before": "0.10",
        },
        "dataset": "tiny",
        "pages": [
            page,
            {
                "name": "enrolment POST",
                "method": "POST",
                "available": False,
                "reason": "no view",
            },
        ],
        "search_sizes": {"small_rps": 100.0, "full_rps": 90.0},
        "argon2": {
            "time_cost": 2,
            "memory_cost_kib": 19456,
            "parallelism": 1,
            "verify_ms": 50.0,
            "owasp_minimum_met": True,
        },
        "login_p50_ms": 55.0,
        "rss": {
            "peak_mib": 120.0,
            "final_mib": [100.0],
            "processes": 1,
            "max_requests": "2000",
        },
        "burst": None,
    }


def test_report_renders_pages_and_targets():
    markdown = report.render(sample_results())

    assert "| catalogue page 1 | 100 | 10.0 | 20.0 | 30.0 | 10.0% |" in markdown
    assert "| enrolment POST | not available on this branch |" in markdown
    assert "| catalogue page 1 ≥ 25% of the ceiling | 10.0% | **missed** |" in markdown
    assert "| search at 100% ≥ 0.8 × its speed at 1% | 0.90 | met |" in markdown


def test_report_keeps_the_hand_written_text(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Intro\n\n{report.BEGIN}\nold\n{report.END}\n\n## Notes\n")

    report.write(path, f"{report.BEGIN}\nnew\n{report.END}")

    assert path.read_text() == (
        f"# Intro\n\n{report.BEGIN}\nnew\n{report.END}\n\n## Notes\n"
    )
