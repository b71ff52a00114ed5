"""Judge the reports of scripts/security-scan and write the summary.

Fails (exit 1) on any wapiti finding or anomaly above "low" that
docs/security/false-positives.json does not list, on any injection point
sqlmap reports, and on a sqlmap run that could not reach its form (HTTP 403
means the CSRF cookie or the session was refused, so nothing was tested).
"""

import argparse
import json
import re
import secrets
import shutil
import ssl
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

LOW = 1
# Reported at "low" by wapiti, but an open redirect would be a real hole.
ALWAYS_FAIL = {"Open Redirect"}
CSRF = "Cross Site Request Forgery"
SQLMAP_TARGETS = ["search", "login", "profile"]


def finding_key(category, finding):
    return (category, finding["info"], finding["method"], finding["path"])


def wapiti_findings(report):
    for section in ("vulnerabilities", "anomalies"):
        for category, findings in report.get(section, {}).items():
            for finding in findings:
                yield category, finding


def judge_wapiti(report, false_positives):
    documented = {
        (fp["category"], fp["info"], fp["method"], fp["path"]) for fp in false_positives
    }
    rows, new = [], []
    for category, finding in wapiti_findings(report):
        level = int(finding["level"])
        key = finding_key(category, finding)
        if level <= LOW and category not in ALWAYS_FAIL:
            verdict = "low"
        elif key in documented:
            verdict = "documented false positive"
        else:
            verdict = "NEW"
            if key not in new:
                new.append(key)
        rows.append((category, finding, verdict))
    return rows, new


def post_status(base, path, form_token, cookie_token):
    """POST to a form with the given CSRF cookie and form field; the status."""
    if not base.startswith("https://127.0.0.1:"):
        raise SystemExit("the scan talks to 127.0.0.1 only")
    request = urllib.request.Request(  # noqa: S310 (checked just above)
        base + path,
        data=f"csrfmiddlewaretoken={form_token}".encode(),
        headers={"Cookie": f"__Host-csrftoken={cookie_token}", "Referer": base + "/"},
    )
    # The scan's own throw-away certificate.
    context = ssl._create_unverified_context()  # noqa: S323
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=20, context=context
        ) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def prove_csrf_false_positives(base, false_positives):
    """Repeat wapiti's own check by hand: a wrong token must be refused (403)
    where the right one is accepted (any other status, e.g. a form error)."""
    lines, problems = [], []
    paths = {fp["path"] for fp in false_positives if fp["category"] == CSRF}
    for path in sorted(paths):
        secret = secrets.token_hex(16)
        wrong = post_status(base, path, "wapiti", secret)
        right = post_status(base, path, secret, secret)
        lines.append(f"| POST {path} | {wrong} | {right} |")
        if wrong != 403 or right == 403:
            problems.append(f"CSRF check of {path} did not hold: {wrong} / {right}")
    return lines, problems


# A form attacked this often must have let some attacks past its CSRF check.
MIN_POSTS_TO_JUDGE = 50


def judge_post_coverage(access_log):
    """The attacks on forms count only if they passed the CSRF check.

    wapiti attacks the token field too, and those requests are rightly
    refused with 403; how many that are depends on how far each module
    gets within its time. What must not happen is what a scan without a
    valid token looks like: a form whose every POST was refused.
    """
    posts = re.findall(r'"POST ([^"?\s]+)\S*" (\d{3}) ', access_log.read_text())
    statuses = [status for _, status in posts]
    refused = statuses.count("403")
    line = f"POST requests: {len(statuses)}, refused by the CSRF check: {refused}"
    if not statuses:
        return line, [f"no attack reached a form ({line})"]
    per_form = {}
    for path, status in posts:
        total, passed = per_form.get(path, (0, 0))
        per_form[path] = (total + 1, passed + (status != "403"))
    problems = [
        f"every attack on {path} was refused unread ({total} POSTs)"
        for path, (total, passed) in sorted(per_form.items())
        if total >= MIN_POSTS_TO_JUDGE and not passed
    ]
    return line, problems


def judge_sqlmap(log_dir):
    lines, problems = [], []
    for target in SQLMAP_TARGETS:
        log = (log_dir / f"sqlmap-{target}.log").read_text(errors="replace")
        if "identified the following injection point" in log:
            problems.append(f"sqlmap found an injection point ({target})")
        if re.search(r"\b403 \(Forbidden\)", log):
            problems.append(f"sqlmap was refused with 403 ({target}): nothing tested")
        verdicts = sorted(
            {
                re.sub(r"^\[[0-9:]+\] ", "", line)
                for line in log.splitlines()
                if re.search(
                    r"does not seem to be injectable|appears to be|is vulnerable"
                    r"|all tested parameters|HTTP error codes|\d{3} \(",
                    line,
                )
            }
        )
        lines.append((target, verdicts))
    return lines, problems


def write_summary(out, rows, csrf_lines, coverage, sqlmap_lines, times, problems):
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = [
        "# Security scan results",
        "",
        f"Written by `make security-scan` on {today}. What the scan covers and why",
        "each documented false positive is one: [README.md](README.md).",
        "",
        "## wapiti",
        "",
        "| Category | Finding | Request | Level | Verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for category, finding, verdict in rows:
        text.append(
            f"| {category} | {finding['info']} | {finding['method']} "
            f"{finding['path']} | {finding['level']} | {verdict} |"
        )
    if not rows:
        text.append("| – | no findings | – | – | – |")
    text += ["", "Full report: [wapiti-report.json](wapiti-report.json).", ""]
    text += [f"{coverage} (wapiti and sqlmap together).", ""]
    text += [
        "### The documented CSRF findings, checked again by hand",
        "",
        'Each form posted once with the token wapiti puts in ("wapiti") and once',
        "with the token that matches the CSRF cookie:",
        "",
        "| Form | Wrong token | Right token |",
        "| --- | --- | --- |",
        *csrf_lines,
        "",
    ]
    text += ["## sqlmap", ""]
    for target, verdicts in sqlmap_lines:
        text += [f"### {target}", "", "```"] + verdicts + ["```", ""]
    if times:
        text += ["Run times: " + ", ".join(times), ""]
    text += ["## Verdict", ""]
    text += [f"- {problem}" for problem in problems] or ["- nothing above low"]
    (out / "scan-report.md").write_text("\n".join(text) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--wapiti", type=Path, required=True)
    parser.add_argument("--sqlmap-dir", type=Path, required=True)
    parser.add_argument("--false-positives", type=Path, required=True)
    parser.add_argument("--access-log", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    report = json.loads(args.wapiti.read_text())
    false_positives = json.loads(args.false_positives.read_text())
    rows, new = judge_wapiti(report, false_positives)
    sqlmap_lines, sqlmap_problems = judge_sqlmap(args.sqlmap_dir)
    csrf_lines, csrf_problems = prove_csrf_false_positives(args.base, false_positives)
    problems = [f"wapiti: {' / '.join(key)}" for key in new]
    coverage, coverage_problems = judge_post_coverage(args.access_log)
    problems += csrf_problems + coverage_problems + sqlmap_problems
    times_file = args.sqlmap_dir / "sqlmap-times"
    times = times_file.read_text().split("\n") if times_file.exists() else []

    shutil.copyfile(args.wapiti, args.out / "wapiti-report.json")
    times = [line for line in times if line]
    write_summary(args.out, rows, csrf_lines, coverage, sqlmap_lines, times, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"summary: {args.out / 'scan-report.md'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
