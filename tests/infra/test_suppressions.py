"""Every suppressed finding is in infra/SUPPRESSIONS.md with its reason; nothing stale is."""

from __future__ import annotations

import re

from tests.infra import _template

SUPPRESSIONS = _template.INFRA / "SUPPRESSIONS.md"
VALIDATE = _template.INFRA / "validate.sh"


def _table_rows(section: str) -> list[list[str]]:
    text = SUPPRESSIONS.read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            line.startswith("|")
            and len(cells) >= 3
            and not set(cells[0]) <= {"-"}
            and cells[0] != "Check"
        ):
            rows.append(cells)
    return rows


def _template_skips() -> set[tuple[str, str]]:
    skips = set()
    for logical_id, resource in _template.template()["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip.get("comment", "").strip(), (
                f"{logical_id}: {skip['id']} skipped without a reason"
            )
            skips.add((skip["id"], logical_id))
    return skips


def _documented_checkov() -> set[tuple[str, str]]:
    documented = set()
    for check, resources, reason, *_ in _table_rows("checkov"):
        if "Passing only" in check:
            continue
        assert len(reason) > 40, f"{check}: give a real reason"
        check_id = check.split()[0]
        if re.fullmatch(r"CKV2?_AWS_\d+", check_id) and not resources.startswith("Api /"):
            documented |= {(check_id, r.strip()) for r in resources.split(",")}
    return documented


def test_every_checkov_skip_is_documented_and_vice_versa() -> None:
    skips, documented = _template_skips(), _documented_checkov()
    assert not skips - documented, (
        f"skipped in the template but not in SUPPRESSIONS.md: {sorted(skips - documented)}"
    )
    assert not documented - skips, (
        f"listed in SUPPRESSIONS.md but not skipped: {sorted(documented - skips)}"
    )


def test_every_cfn_lint_ignore_is_documented() -> None:
    ignored = set()
    for line in VALIDATE.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        for group in re.findall(r"--ignore-checks\s+([A-Z0-9, ]+)", line):
            ignored |= {c.strip() for c in group.split(",") if c.strip()}
    inline = {
        check
        for resource in _template.template()["Resources"].values()
        for check in resource.get("Metadata", {})
        .get("cfn-lint", {})
        .get("config", {})
        .get("ignore_checks", [])
    }
    documented = {row[0].split()[0] for row in _table_rows("cfn-lint")}
    assert ignored | inline == documented, (
        f"ignored {sorted(ignored | inline)}, documented {sorted(documented)}"
    )
