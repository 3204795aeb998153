"""Summarise a checkov JSON report; exit 1 on any finding, parsing error or empty scan.

checkov exits 0 when it could not parse a template (it then scans nothing), so its exit code
alone is not enough. A skip without a reason also fails: every suppression must say why.

    checkov -f T --framework cloudformation -o json > report.json
    python infra/scripts/checkov_report.py report.json --label source
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", type=Path)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)

    raw = json.loads(args.report.read_text(encoding="utf-8") or "null")
    # One framework -> an object; several -> a list of objects; nothing scanned -> a bare summary.
    reports = raw if isinstance(raw, list) else [raw]
    problems: list[str] = []
    totals = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    for report in reports:
        if not isinstance(report, dict) or "summary" not in report:
            problems.append(f"unexpected checkov output: {str(report)[:200]}")
            continue
        for key in totals:
            totals[key] += int(report["summary"].get(key, 0))
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            problems.append(
                f"{check['check_id']} {check['resource']} ({check['file_path']}:"
                f"{check['file_line_range'][0]}): {check['check_name']}"
            )
        for check in results.get("skipped_checks", []):
            if not (check.get("check_result", {}).get("suppress_comment") or "").strip():
                problems.append(
                    f"{check['check_id']} {check['resource']}: skipped without a reason"
                )
    if totals["passed"] + totals["failed"] == 0:
        problems.append("checkov scanned nothing (template not recognised?)")
    if totals["parsing_errors"]:
        problems.append(f"{totals['parsing_errors']} parsing error(s)")

    label = f" ({args.label})" if args.label else ""
    print(
        f"checkov{label}: passed {totals['passed']}, failed {totals['failed']}, "
        f"skipped {totals['skipped']} (reasons in infra/SUPPRESSIONS.md), "
        f"parsing errors {totals['parsing_errors']}"
    )
    for problem in problems:
        print(f"  FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
