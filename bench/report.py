"""Turn a benchmark run's results into Markdown, with the targets beside."""

from pathlib import Path

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

MAX_QUERIES = 8
SEARCH_SIZE_RATIO = 0.8
LOGIN_HASH_RATIO = 1.2
WORKER_RSS_MIB = 150


def _mark(met):
    return {True: "met", False: "**missed**", None: "n/a"}[met]


def _number(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def page_table(results):
    """Return the Markdown table of the pages."""
    lines = [
        "| page | req/s | p50 ms | p95 ms | p99 ms | share of ceiling | target "
        "| queries 1% | queries 100% | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for page in results["pages"]:
        if not page.get("available", True) or page.get("failure"):
            reason = page.get("failure") or "not available on this branch"
            lines.append(f"| {page['name']} | {reason} |  |  |  |  |  |  |  |  |")
            continue
        share = page.get("share")
        target = page.get("target_share")
        target_text = (
            f"≥ {target:.0%}: {_mark(share >= target)}"
            if target is not None and share is not None
            else ""
        )
        connections = (
            f" ({page['connections']} connection)" if page.get("connections") else ""
        )
        lines.append(
            f"| {page['name']}{connections} | {_number(page['rps'])} "
            f"| {_number(page['p50_ms'], 1)} | {_number(page['p95_ms'], 1)} "
            f"| {_number(page['p99_ms'], 1)} "
            f"| {'–' if share is None else f'{share:.1%}'} | {target_text} "
            f"| {_number(page.get('queries_small'))} "
            f"| {_number(page.get('queries_full'))} | {page.get('errors', 0)} |"
        )
    return "\n".join(lines)


def targets(results):
    """Return (target, figure, met) rows; met is None without a figure."""
    rows = []
    measured = [
        page
        for page in results["pages"]
        if page.get("available", True) and "queries_full" in page
    ]
    over = [p["name"] for p in measured if p["queries_full"] > MAX_QUERIES]
    differ = [p["name"] for p in measured if p["queries_full"] != p["queries_small"]]
    most = max((p["queries_full"] for p in measured), default=None)
    rows.append(
        (
            f"at most {MAX_QUERIES} queries per page",
            f"most: {most}" + (f"; over: {', '.join(over)}" if over else ""),
            not over if measured else None,
        )
    )
    rows.append(
        (
            "the same number of queries at 1% and 100%",
            "differ: " + (", ".join(differ) if differ else "none"),
            not differ if measured else None,
        )
    )
    for page in results["pages"]:
        if page.get("target_share") is None:
            continue
        share = page.get("share")
        rows.append(
            (
                f"{page['name']} ≥ {page['target_share']:.0%} of the ceiling",
                "–" if share is None else f"{share:.1%}",
                None if share is None else share >= page["target_share"],
            )
        )

    search = results.get("search_sizes")
    ratio = search and search["full_rps"] / search["small_rps"]
    rows.append(
        (
            f"search at 100% ≥ {SEARCH_SIZE_RATIO} × its speed at 1%",
            "–" if not ratio else f"{ratio:.2f}",
            None if not ratio else ratio >= SEARCH_SIZE_RATIO,
        )
    )

    argon2 = results.get("argon2")
    login = results.get("login_p50_ms")
    if argon2:
        ratio = login / argon2["verify_ms"] if login else None
        rows.append(
            (
                f"a login ≤ {LOGIN_HASH_RATIO} × the raw Argon2 hash",
                f"{_number(login)} ms vs. {argon2['verify_ms']:.0f} ms"
                + (f" = {ratio:.2f}" if ratio else ""),
                None if ratio is None else ratio <= LOGIN_HASH_RATIO,
            )
        )
        rows.append(
            (
                "Argon2 at or above the OWASP minimum",
                f"t={argon2['time_cost']}, m={argon2['memory_cost_kib'] // 1024} MiB, "
                f"p={argon2['parallelism']}",
                argon2["owasp_minimum_met"],
            )
        )

    rss = results.get("rss")
    rows.append(
        (
            f"each worker < {WORKER_RSS_MIB} MiB resident",
            "–" if not rss else f"peak {rss['peak_mib']:.0f} MiB",
            None if not rss else rss["peak_mib"] < WORKER_RSS_MIB,
        )
    )

    burst = results.get("burst")
    if burst:
        figure = (
            f"{burst['seated']} seated ({burst.get('admitted', '?')} admitted), "
            f"{burst['waitlisted']} waiting, "
            f"{burst['distinct_positions']} distinct positions, "
            f"errors: {burst['errors'] or 'none'}; {burst['service']}"
        )
        rows.append(
            (
                f"{burst['applicants']} at once on {burst['places']} places: "
                f"{burst['places']} seated, the rest waiting, no error",
                figure,
                burst["ok"],
            )
        )
    return rows


def target_table(results):
    lines = ["| target | figure | |", "| --- | --- | --- |"]
    lines += [
        f"| {target} | {figure} | {_mark(met)} |"
        for target, figure, met in targets(results)
    ]
    return "\n".join(lines)


def machine_text(results):
    machine = results["machine"]
    run = results["run"]
    return "\n".join(
        [
            f"- Run: {run['started_at']}, {run['seconds']} s per page after "
            f"{run['warmup']} s warm-up, wrk with {run['connections']} connections "
            f"and {run['threads']} thread(s) over loopback",
            f"- Server: gunicorn as in the Dockerfile, {run['workers']} sync "
            f"workers, `DJANGO_DEBUG=false`, database sessions",
            f"- Machine: {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['memory_gib']:.0f} GiB RAM, {machine['os']}, "
            f"kernel {machine['kernel']}",
            f"- Software: Python {machine['python']}, Django {machine['django']}, "
            f"gunicorn {machine['gunicorn']}, {machine['postgresql']}, "
            f"{machine['wrk']}",
            f"- Load average before the run: {machine['load_before']}",
            f"- Data set: {results['dataset']}",
        ]
    )


def render(results):
    """Return the generated part of docs/benchmarks.md."""
    rss = results.get("rss")
    rss_text = (
        f"Peak resident memory of a worker over the run: {rss['peak_mib']:.0f} MiB "
        f"({rss['processes']} worker processes seen; gunicorn replaces a worker "
        f"after about {rss['max_requests']} requests). At the end: "
        + ", ".join(f"{value:.0f} MiB" for value in rss["final_mib"])
        + "."
        if rss
        else ""
    )
    search = results.get("search_sizes")
    search_text = (
        f"Search on the 1% data set: {search['small_rps']:,.0f} req/s; "
        f"on the full set: {search['full_rps']:,.0f} req/s."
        if search
        else ""
    )
    return "\n\n".join(
        part
        for part in [
            BEGIN,
            "## Latest run",
            machine_text(results),
            "### Pages",
            page_table(results),
            search_text,
            rss_text,
            "### Targets",
            target_table(results),
            END,
        ]
        if part
    )


def write(path, generated):
    """Put the generated part into the file, keeping the hand-written rest."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + generated + after
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + generated
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
