#!/usr/bin/env bash
# Delete the stack and everything in it (`make destroy`): the table (all messages), the user
# pool (all accounts), logs, and the artifacts SAM uploaded. See docs/deploy.md.
#   CONFIG_ENV=dev make destroy    the `dev` environment of infra/samconfig.toml
#   YES=1 make destroy             no confirmation prompt (CI)
# With DeletionProtection=true (the default) it first sets it to false, with the previous
# template and every other parameter unchanged, then deletes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CONFIG_ENV=${CONFIG_ENV:-default}
CONFIG="$ROOT/infra/samconfig.toml"
SAM_VENV=.cache/sam-venv

if command -v sam >/dev/null; then SAM=sam
elif [[ -x "$SAM_VENV/bin/sam" ]]; then SAM="$SAM_VENV/bin/sam"
else echo "destroy: SAM CLI not found (run make deploy once, or install aws-sam-cli)" >&2; exit 1; fi
if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import boto3' 2>/dev/null; then PY=.venv/bin/python
else PY="$(dirname "$(command -v "$SAM")")/python"; fi
stack() { "$PY" infra/scripts/stack.py "$@" --config-file "$CONFIG" --env "$CONFIG_ENV"; }

REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(stack region)}}
stack whoami --region "$REGION"
STACK=$(stack stack-name)
if ! stack exists --stack "$STACK" --region "$REGION"; then
  echo "destroy: stack $STACK does not exist in ${REGION:-the default region}; nothing to do"
  exit 0
fi

if [[ "${YES:-}" != 1 ]]; then
  if [[ ! -t 0 ]]; then
    echo "destroy: refusing to delete $STACK without a terminal; set YES=1 to confirm" >&2
    exit 1
  fi
  echo "This deletes stack $STACK in $REGION: every message, room and user account in it."
  read -r -p "Type the stack name to confirm: " answer
  [[ "$answer" == "$STACK" ]] || { echo "destroy: not confirmed"; exit 1; }
fi

if [[ "$(stack parameter --stack "$STACK" --region "$REGION" --name DeletionProtection)" == "true" ]]; then
  stack unprotect --stack "$STACK" --region "$REGION"
fi

"$SAM" delete --stack-name "$STACK" --config-file "$CONFIG" --config-env "$CONFIG_ENV" \
  ${REGION:+--region "$REGION"} --no-prompts
rm -f ".local/aws/$STACK.json" ".local/aws/$STACK.env" ".local/aws/$STACK.web-config.json"
echo "destroy: $STACK deleted. DynamoDB keeps a system backup of the table for 35 days (PITR)."
