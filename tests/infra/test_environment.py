"""settings.py <-> template <-> env.local.json: every variable the code reads is set, validly.

The variables are found in resolvers/positive_chat/settings.py by AST (``env.get("X")``,
``env["X"]``, ``_int(env, "X", ...)``), and the module docstring's table says which are
"set by Lambda" (reserved: must NOT be set) and which are "(stream publisher only)".
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from tests.infra import _template

SETTINGS = _template.PACKAGE_DIR / "settings.py"
API_HANDLER = "positive_chat.handlers.api.lambda_handler"
PUBLISHER_HANDLER = "positive_chat.handlers.stream.lambda_handler"
# Read by Powertools itself, not by settings.py; the brief's observability contract.
POWERTOOLS_REQUIRED = (
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
)
# Lambda's reserved runtime variables (Lambda developer guide, "Defined runtime environment
# variables"): the runtime sets them and a function configuration may not.
LAMBDA_RESERVED = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
}


def _names_read_by_settings() -> set[str]:
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # env.get("X", ...) / os.environ.get("X") / os.getenv("X")
            func = node.func
            is_get = isinstance(func, ast.Attribute) and func.attr in {"get", "getenv"}
            if (
                is_get
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
            # helper(env, "X", ...)
            for first, second in zip(node.args, node.args[1:], strict=False):
                if (
                    isinstance(first, ast.Name)
                    and first.id == "env"
                    and isinstance(second, ast.Constant)
                    and isinstance(second.value, str)
                ):
                    names.add(second.value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
            and isinstance(node.value, (ast.Name, ast.Attribute))
        ):
            target = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
            if target in {"env", "environ"}:
                names.add(node.slice.value)
    return {n for n in names if re.fullmatch(r"[A-Z][A-Z0-9_]+", n)}


def _documented() -> dict[str, str]:
    """Docstring table rows: variable -> its 'meaning' and 'default' text."""
    doc = ast.get_docstring(ast.parse(SETTINGS.read_text(encoding="utf-8"))) or ""
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"[A-Z][A-Z0-9_]+", cells[0]):
            rows[cells[0]] = " | ".join(cells[1:]).lower()
    return rows


def _classify() -> tuple[set[str], set[str], set[str]]:
    """(set by Lambda, publisher only, everyone) among the variables settings.py reads."""
    read = _names_read_by_settings()
    documented = _documented()
    reserved = {n for n in read if n in LAMBDA_RESERVED or "set by lambda" in documented.get(n, "")}
    undocumented = read - set(documented) - reserved
    assert not undocumented, (
        f"settings.py reads {sorted(undocumented)} but its docstring table does not list them"
    )
    publisher_only = {n for n in read - reserved if "publisher only" in documented[n]}
    return reserved, publisher_only, read - reserved - publisher_only


def test_settings_reads_the_variables_we_expect_to_find() -> None:
    # Guards the AST scan itself: if settings.py changes shape, this says so first.
    assert {"TABLE_NAME", "NLP_PROVIDER", "GRAPHQL_URL"} <= _names_read_by_settings()


@pytest.mark.parametrize("handler", [API_HANDLER, PUBLISHER_HANDLER])
def test_every_variable_the_code_reads_is_set(handler: str) -> None:
    # Given the variables settings.py reads, classified by its docstring
    reserved, publisher_only, everyone = _classify()
    function_id = _template.function_for_handler(handler)
    env = _template.environment(function_id)
    # Then the function sets every one it needs, and none that Lambda reserves
    needed = everyone | (publisher_only if handler == PUBLISHER_HANDLER else set())
    missing = sorted(needed - set(env))
    assert not missing, f"{function_id} does not set {missing} (read by settings.py)"
    forbidden = sorted(reserved & set(env))
    assert not forbidden, f"{function_id} sets {forbidden}, which Lambda reserves"
    missing_pt = [n for n in POWERTOOLS_REQUIRED if n not in env]
    assert not missing_pt, f"{function_id} does not set {missing_pt}"


@pytest.mark.parametrize("handler", [API_HANDLER, PUBLISHER_HANDLER])
def test_no_stray_variables(handler: str) -> None:
    _, publisher_only, everyone = _classify()
    function_id = _template.function_for_handler(handler)
    known = everyone | publisher_only
    stray = sorted(
        n
        for n in _template.environment(function_id)
        if n not in known and not n.startswith("POWERTOOLS_")
    )
    assert not stray, f"{function_id} sets {stray}, which no code reads (settings.py, Powertools)"


@pytest.mark.parametrize("handler", [API_HANDLER, PUBLISHER_HANDLER])
def test_template_values_parse_with_settings(handler: str) -> None:
    from positive_chat.settings import Settings

    env = _template.placeholder_env(_template.function_for_handler(handler))
    settings = Settings.from_env(env)  # raises SettingsError on an invalid value
    assert settings.nlp_provider == "aws"
    if handler == PUBLISHER_HANDLER:
        assert settings.graphql_url.startswith("https://")


def test_env_local_overrides_only_declared_variables() -> None:
    # `sam local --env-vars` (and our local runtime) only override variables the template
    # declares; anything else is silently ignored, so it would be a dead setting.
    overrides = json.loads(_template.ENV_LOCAL_PATH.read_text(encoding="utf-8"))
    functions = _template.functions()
    for function_id, variables in overrides.items():
        if function_id == "Parameters":
            continue
        assert function_id in functions, (
            f"env.local.json names {function_id}, not a function of the template"
        )
        undeclared = sorted(set(variables) - set(_template.environment(function_id)))
        assert not undeclared, (
            f"env.local.json sets {undeclared} for {function_id}; the template lacks them"
        )
        assert all(isinstance(v, str) for v in variables.values()), (
            f"{function_id}: values must be strings"
        )


@pytest.mark.parametrize("handler", [API_HANDLER, PUBLISHER_HANDLER])
def test_local_environment_parses_with_settings(handler: str) -> None:
    from positive_chat.settings import Settings

    function_id = _template.function_for_handler(handler)
    overrides = json.loads(_template.ENV_LOCAL_PATH.read_text(encoding="utf-8")).get(
        function_id, {}
    )
    settings = Settings.from_env({**_template.placeholder_env(function_id), **overrides})
    assert settings.nlp_provider == "local", (
        f"{function_id} must run with NLP_PROVIDER=local offline"
    )
