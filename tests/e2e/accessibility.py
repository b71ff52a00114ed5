"""Accessibility and HTML checks for any page of the portal.

``assert_accessible(page)`` runs axe-core in a Playwright page with the WCAG
2.2 A/AA rules; ``assert_valid_html(html)`` runs html-validate on a rendered
document. Both fail with a readable list of what is wrong. Every rule that
is switched off is listed here, with its reason, and nowhere else.
"""

import json
import subprocess
import tempfile
from functools import cache
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
HTML_VALIDATE = BASE_DIR / "node_modules" / ".bin" / "html-validate"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA; 2.1 AA is what BITV 2.0 demands.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Rules beyond the tags: target-size (WCAG 2.2 2.5.8) is off in axe by
# default; the others are axe best practices that catch broken structure.
AXE_EXTRA_RULES = [
    "target-size",
    "heading-order",
    "page-has-heading-one",
    "landmark-one-main",
    "landmark-unique",
    "region",
    "skip-link",
]

# Rules left out, rule id -> reason. Keep this empty unless a rule cannot
# apply to the portal; a real violation is fixed, not listed here.
AXE_DISABLED_RULES = {}

# html-validate: the rules the HTML standard itself enforces, the checks of
# a complete document, and its accessibility rules.
HTML_VALIDATE_PRESETS = [
    "html-validate:standard",
    "html-validate:document",
    "html-validate:a11y",
]

# html-validate rules left out, rule id -> reason.
HTML_VALIDATE_DISABLED_RULES = {}

# html-validate rules left out on the admin pages only, rule id -> reason.
# Each flags markup of Django's own admin templates that is accessible by
# the accessible-name rules browsers follow (axe-core, which computes those
# names, passes these pages); changing it would mean copying and keeping up
# Django's templates. The accessibility statement names these points too.
ADMIN_HTML_VALIDATE_DISABLED_RULES = {
    "wcag/h30": "Django names its icon links (sort toggles, change and add"
    " buttons beside a selection) by their title attribute, which browsers"
    " expose as the link's name; the technique H30 asks for link text instead.",
    "wcag/h63": "Django's change lists mark the first cell of each row as a"
    " <th> without scope; HTML's table model already makes it the row header.",
    "wcag/h71": "Django labels its field groups with aria-labelledby pointing"
    " to the group's heading instead of a <legend>; the group has a name.",
    "wcag/h32": "Django's change lists sit in a form that is only sent by the"
    " actions below the list; where a list offers no actions (the audit log,"
    " lists without bulk changes) the form has nothing to send and no button.",
    "unique-landmark": "The date navigation of the course list is a second"
    " <nav> without a name of its own beside the breadcrumbs.",
}

# html-validate rules with options other than the presets' defaults.
HTML_VALIDATE_RULE_OPTIONS = {
    # Subresource integrity protects against a changed third-party file; the
    # portal serves every script and style sheet itself.
    "require-sri": ["error", {"target": "crossorigin"}],
}


def assert_accessible(page, *, include=None):
    """Fail with a list of violations if axe-core finds any on the page.

    ``include`` is an optional CSS selector that narrows the check to part
    of the page, e.g. a dialog.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated rather than added as a <script>, so that a strict
        # Content-Security-Policy cannot block the test tool.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))

    rules = {rule: {"enabled": True} for rule in AXE_EXTRA_RULES}
    rules.update({rule: {"enabled": False} for rule in AXE_DISABLED_RULES})
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "rules": rules,
        "resultTypes": ["violations"],
    }
    results = page.evaluate(
        "([context, options]) => axe.run(context || document, options)",
        [include, options],
    )

    ran = {
        result["id"]
        for kind in ("violations", "passes", "incomplete", "inapplicable")
        for result in results[kind]
    }
    assert "target-size" in ran, "axe did not run the target-size rule"
    violations = results["violations"]
    assert not violations, format_violations(page.url, violations)


def format_violations(url, violations):
    lines = [f"axe-core found {len(violations)} violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


@cache
def html_validate_config(admin=False):
    disabled = dict(HTML_VALIDATE_DISABLED_RULES)
    if admin:
        disabled.update(ADMIN_HTML_VALIDATE_DISABLED_RULES)
    config = {
        "extends": HTML_VALIDATE_PRESETS,
        "rules": {
            **HTML_VALIDATE_RULE_OPTIONS,
            **dict.fromkeys(disabled, "off"),
        },
    }
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives for the run
        "w", suffix=".json", prefix="htmlvalidate-", delete=False
    )
    with handle:
        json.dump(config, handle)
    return handle.name


def assert_valid_html(html, *, name="page.html", admin=False):
    """Fail with a list of errors if html-validate rejects the document.

    ``admin`` leaves out the rules that only Django's admin templates break.
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    assert HTML_VALIDATE.exists(), "html-validate is missing; run `make install`"

    completed = subprocess.run(  # noqa: S603 - fixed local executable
        [
            str(HTML_VALIDATE),
            "--config",
            html_validate_config(admin),
            "--formatter",
            "json",
            "--stdin",
            "--stdin-filename",
            name,
        ],
        input=html,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if completed.returncode not in (0, 1):
        raise AssertionError(f"html-validate failed to run: {completed.stderr}")

    reports = json.loads(completed.stdout or "[]")
    errors = [
        message
        for report in reports
        for message in report["messages"]
        if message["severity"] == 2
    ]
    assert not errors, format_html_errors(name, html, errors)


def format_html_errors(name, html, errors):
    source_lines = html.splitlines()
    lines = [f"html-validate found {len(errors)} error(s) in {name}:"]
    for error in errors:
        line = error.get("line", 0)
        excerpt = (
            source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
        )
        lines.append(f"- line {line}: {error['message']} [{error['ruleId']}]")
        if excerpt:
            lines.append(f"    {excerpt[:200]}")
    return "\n".join(lines)
