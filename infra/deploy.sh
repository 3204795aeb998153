#!/usr/bin/env bash
# Build and deploy the stack with SAM CLI (`make deploy`). Needs AWS credentials; see docs/deploy.md.
#   CONFIG_ENV=dev make deploy     the `dev` environment of infra/samconfig.toml (default: default)
#   GUIDED=1 make deploy           force `sam deploy --guided` (it is automatic for a new stack
#                                  when run from a terminal)
# The first deploy of a stack from a terminal is guided; the answers are saved in
# infra/samconfig.toml. Non-interactive runs (CI) never prompt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CONFIG_ENV=${CONFIG_ENV:-default}
CONFIG="$ROOT/infra/samconfig.toml"      # absolute: SAM resolves relative paths from the template's folder
BUILD_DIR=.aws-sam/build
SAM_CLI_VERSION=1.170.0                  # used when `sam` is not installed
SAM_VENV=.cache/sam-venv

log() { printf '\n== %s\n' "$*"; }

# --- tools -------------------------------------------------------------------------------
if command -v sam >/dev/null; then
  SAM=sam
else
  SAM="$SAM_VENV/bin/sam"
  if [[ ! -x "$SAM" || "$("$SAM" --version 2>/dev/null)" != *"$SAM_CLI_VERSION"* ]]; then
    log "installing AWS SAM CLI $SAM_CLI_VERSION into $SAM_VENV (sam was not found)"
    python3 -m venv "$SAM_VENV"
    "$SAM_VENV/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli==$SAM_CLI_VERSION"
  fi
fi
if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import boto3' 2>/dev/null; then PY=.venv/bin/python
else PY="$(dirname "$(command -v "$SAM")")/python"; fi
[[ -x "$PY" ]] || PY=python3
stack() { "$PY" infra/scripts/stack.py "$@" --config-file "$CONFIG" --env "$CONFIG_ENV"; }

# --- preconditions -----------------------------------------------------------------------
if [[ ! -f resolvers/requirements.txt ]]; then
  echo "deploy: resolvers/requirements.txt is missing (the functions' dependencies: powertools, gql...)" >&2
  exit 1
fi
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(stack region)}}
stack whoami --region "$REGION"
STACK=$(stack stack-name)
mapfile -t OVERRIDES < <(stack params)

# --- build -------------------------------------------------------------------------------
# `sam build` needs the functions' Python (the template's Runtime) to resolve arm64 wheels;
# without it, it builds inside the AWS SAM build image (Docker).
RUNTIME=$(sed -n 's/^ *Runtime: *\(python3\.[0-9]*\).*/\1/p' infra/template.yaml | head -1)
build_args=()
if ! "$RUNTIME" -c 'import sys' >/dev/null 2>&1; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    echo "$RUNTIME not found: building in a container"
    build_args+=(--use-container)
  else
    echo "deploy: sam build needs $RUNTIME on PATH (e.g. pyenv, deadsnakes) or a running Docker" >&2
    exit 1
  fi
fi
log "sam build ($CONFIG_ENV, stack $STACK)"
"$SAM" build --config-file "$CONFIG" --config-env "$CONFIG_ENV" \
  --template-file infra/template.yaml --build-dir "$BUILD_DIR" "${build_args[@]}"

# --- deploy ------------------------------------------------------------------------------
args=(--config-file "$CONFIG" --config-env "$CONFIG_ENV" --template-file "$BUILD_DIR/template.yaml"
      --stack-name "$STACK" --parameter-overrides "${OVERRIDES[@]}")
[[ -n "$REGION" ]] && args+=(--region "$REGION")
if [[ -t 0 ]]; then
  if [[ "${GUIDED:-}" == 1 ]] || ! stack exists --stack "$STACK" --region "$REGION"; then
    args+=(--guided)
  fi
else
  args+=(--no-confirm-changeset)   # CI: no terminal to confirm on
fi
log "sam deploy ${args[*]}"
"$SAM" deploy "${args[@]}"

# --guided may have changed the stack name or region: read them back.
STACK=$(stack stack-name)
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(stack region)}}

# --- outputs for the clients -------------------------------------------------------------
log "stack outputs"
mkdir -p .local/aws
stack outputs --stack "$STACK" --region "$REGION" --write ".local/aws/$STACK.json" \
  --env-file ".local/aws/$STACK.env" --web-config ".local/aws/$STACK.web-config.json"
cat <<EOF

Point the clients at it (docs/deploy.md):
  pchat:   export PCHAT_CONFIG=.local/aws/$STACK.json     (or: source .local/aws/$STACK.env)
  web UI:  serve client/web with .local/aws/$STACK.web-config.json as its config.json
EOF
