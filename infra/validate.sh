#!/usr/bin/env bash
# Offline validation of infra/template.yaml; `make validate` runs it, and `make test` runs that.
#   1. SAM transform with aws-sam-translator (no AWS access)  -> .cache/infra/template.json
#   2. cfn-lint (errors, warnings AND informational checks) on the SAM source and on the
#      transformed template (the source alone misses e.g. invalid generated properties)
#   3. checkov on both
#   4. syntax of the APPSYNC_JS resolver code (when node is installed)
# Runs every step, prints every finding, and exits 1 if there was any.
# Accepted findings and their reasons: infra/SUPPRESSIONS.md.
set -uo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
TEMPLATE=infra/template.yaml
OUT=.cache/infra
TRANSFORMED="$OUT/template.json"
REGION=${VALIDATE_REGION:-us-east-1}
# checkov has heavy dependencies that conflict with the project's (boto3, networkx...), so it
# lives in its own virtualenv, pinned, with its dependency tree frozen.
CHECKOV_VERSION=3.3.30
CHECKOV_VENV=.cache/checkov-venv
CHECKOV_CONSTRAINTS=infra/checkov-constraints.txt

failed=()
step() { printf '\n== %s\n' "$*"; }
fail() { failed+=("$1"); }

if [[ ! -x "$PY" ]] || ! "$PY" -c 'import samtranslator, cfnlint' 2>/dev/null; then
  echo "validate: $VENV lacks aws-sam-translator/cfn-lint; run 'make venv' first" >&2
  exit 2
fi
mkdir -p "$OUT"

install_checkov() {
  local stamp="$CHECKOV_VENV/.installed"
  local want
  want="checkov==$CHECKOV_VERSION $(sha256sum "$CHECKOV_CONSTRAINTS" | cut -c1-16)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "installing checkov $CHECKOV_VERSION into $CHECKOV_VENV (first run only; about a minute)"
  local python=${CHECKOV_PYTHON:-python3}
  rm -rf "$CHECKOV_VENV"
  if ! "$python" -m venv "$CHECKOV_VENV"; then
    echo "validate: cannot create a virtualenv with $python (Debian: apt-get install -y python3-venv)" >&2
    return 1
  fi
  local log="$OUT/checkov-install.log"
  if "$CHECKOV_VENV/bin/pip" install --disable-pip-version-check --upgrade pip > "$log" 2>&1 &&
    "$CHECKOV_VENV/bin/pip" install --disable-pip-version-check \
      -c "$CHECKOV_CONSTRAINTS" "checkov==$CHECKOV_VERSION" >> "$log" 2>&1; then
    echo "$want" > "$stamp"
  else
    tail -20 "$log" >&2
    echo "validate: checkov install failed (full log: $log)" >&2
    return 1
  fi
}

run_checkov() {  # <file> <label>
  local report="$OUT/checkov-$2.json"
  # --skip-download: no call to the Prisma Cloud platform; offline and deterministic.
  "$CHECKOV_VENV/bin/checkov" -f "$1" --framework cloudformation --skip-download \
    --output json > "$report" 2> "$OUT/checkov-$2.log"
  "$PY" infra/scripts/checkov_report.py "$report" --label "$2"
}

step "1/4 SAM transform (offline, region $REGION)"
"$PY" infra/scripts/sam_transform.py "$TEMPLATE" -o "$TRANSFORMED" --region "$REGION" || fail "sam transform"

step "2/4 cfn-lint $(
  "$VENV/bin/cfn-lint" --version | cut -d' ' -f2)"
if "$VENV/bin/cfn-lint" --include-checks I --format parseable -t "$TEMPLATE"; then
  echo "cfn-lint (source): no findings"
else
  fail "cfn-lint (source)"
fi
if [[ -f "$TRANSFORMED" ]]; then
  # W2001 (unused parameter) is off for the transformed template only: SAM resolves the
  # parameter used in DeploymentPreference.Type while transforming, so it looks unused
  # there. The source lint above keeps W2001 on. See infra/SUPPRESSIONS.md.
  if "$VENV/bin/cfn-lint" --include-checks I --ignore-checks W2001 --format parseable -t "$TRANSFORMED"; then
    echo "cfn-lint (transformed): no findings"
  else
    fail "cfn-lint (transformed)"
  fi
fi

step "3/4 checkov $CHECKOV_VERSION"
# checkov leaves out resources whose Condition is false with the default parameters, so the
# optional resources are scanned in a copy that switches them on.
OPTIONAL="$OUT/template-optional-on.json"
"$PY" - "$TEMPLATE" "$OPTIONAL" <<'PYEOF' || fail "optional-resources copy"
import json, sys
from samtranslator.yaml_helper import yaml_parse
template = yaml_parse(open(sys.argv[1], encoding="utf-8").read())
template["Parameters"]["EnableAnalyticsExport"]["Default"] = "true"
json.dump(template, open(sys.argv[2], "w", encoding="utf-8"), indent=1)
PYEOF
if install_checkov; then
  run_checkov "$TEMPLATE" source || fail "checkov (source)"
  if [[ -f "$TRANSFORMED" ]]; then
    run_checkov "$TRANSFORMED" transformed || fail "checkov (transformed)"
  fi
  if [[ -f "$OPTIONAL" ]]; then
    run_checkov "$OPTIONAL" optional-on || fail "checkov (optional resources on)"
  fi
else
  fail "checkov install"
fi

step "4/4 APPSYNC_JS resolver code"
if command -v node >/dev/null; then
  for code in infra/appsync/*.js; do
    if node --input-type=module --check < "$code"; then echo "$code: syntax ok"; else fail "$code"; fi
  done
else
  echo "node not installed: JS syntax check skipped (AppSync checks it on deploy)"
fi

echo
if ((${#failed[@]})); then
  echo "validate: FAILED: ${failed[*]}"
  exit 1
fi
echo "validate: OK (template valid; 0 unaccepted findings)"
