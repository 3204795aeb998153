"""``AWS::Serverless::Function`` resources -> :class:`FunctionSpec` (Globals, env, Events)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._template_refs import ResourceRefs
from .api_model import FunctionSpec, StreamEventSpec
from .intrinsics import IntrinsicContext, TemplateError, resolve

# Dummy credentials every function gets unless the caller passes others (ops passes the
# same pair to the IAM auth config so functions can sign requests to the local API).
LOCAL_ACCESS_KEY_ID = "AKIALOCALRUNTIME0000"
LOCAL_SECRET_ACCESS_KEY = "local-runtime-secret-access-key-not-a-secret"  # noqa: S105


def merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: maps merge recursively, lists concatenate, scalars override."""
    out: dict[str, Any] = dict(global_props)
    for key, value in props.items():
        base = out.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            out[key] = merge_globals(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            out[key] = base + value
        else:
            out[key] = value
    return out


def _read_env_file(path: str | Path | None) -> dict[str, dict[str, str]]:
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateError(f"--env-vars {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise TemplateError(f"--env-vars {path}: expected "
                            '{"FunctionLogicalId": {"VAR": "value"}, "Parameters": {...}}')
    return {k: {vk: _env_str(vv) for vk, vv in v.items()} for k, v in data.items()}


def _env_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def build_functions(resources: Mapping[str, Any], *, globals_: Mapping[str, Any],
                    ctx: IntrinsicContext, refs: ResourceRefs, template_dir: Path,
                    env_vars_file: str | Path | None, extra_env: Mapping[str, str],
                    warnings: list[str]) -> dict[str, FunctionSpec]:
    env_file = _read_env_file(env_vars_file)
    out: dict[str, FunctionSpec] = {}
    for logical, res in resources.items():
        raw = merge_globals(globals_, res.get("Properties") or {})
        p = resolve(raw, ctx)
        runtime = str(p.get("Runtime", ""))
        if not runtime.startswith("python"):
            warnings.append(f"function {logical}: runtime {runtime!r} cannot run locally "
                            "(Python only); it is skipped")
            continue
        name = refs.function_name(logical)
        code_uri = p.get("CodeUri", ".")
        if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
            raise TemplateError(f"function {logical}: CodeUri must be a local directory")
        code_dir = (template_dir / code_uri).resolve()
        if not code_dir.is_dir():
            raise TemplateError(f"function {logical}: CodeUri {code_dir} is not a directory")
        handler = str(p.get("Handler", ""))
        if "." not in handler:
            raise TemplateError(f"function {logical}: Handler must be 'module.function'")
        memory = int(p.get("MemorySize", 128))
        spec = FunctionSpec(
            logical_id=logical, function_name=name,
            arn=refs.get_att(logical, "Arn"), code_uri=code_dir, handler=handler,
            runtime=runtime, timeout_s=int(p.get("Timeout", 3)), memory_size_mb=memory,
            environment=_environment(logical, name, memory, p, env_file, ctx.region,
                                     extra_env, warnings),
            events=tuple(_stream_events(logical, res, p, ctx, refs)),
        )
        out[logical] = spec
    return out


def _environment(logical: str, name: str, memory: int, p: Mapping[str, Any],
                 env_file: Mapping[str, Mapping[str, str]], region: str,
                 extra_env: Mapping[str, str], warnings: list[str]) -> dict[str, str]:
    declared = {k: _env_str(v) for k, v in
                ((p.get("Environment") or {}).get("Variables") or {}).items()}
    env = dict(declared)
    # `sam local` semantics: "Parameters" applies to all functions, a function's own
    # entry wins, and only variables the template declares are overridden.
    for section in ("Parameters", logical, name):
        for key, value in (env_file.get(section) or {}).items():
            if key in declared:
                env[key] = value
            elif section != "Parameters":
                warnings.append(f"--env-vars: {section}.{key} is not declared in the "
                                "template's Environment; ignored (as sam local does)")
    env.update({
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
    })
    env.update({k: str(v) for k, v in extra_env.items()})
    return env


def _stream_events(logical: str, res: Mapping[str, Any], p: Mapping[str, Any],
                   ctx: IntrinsicContext, refs: ResourceRefs) -> list[StreamEventSpec]:
    out = []
    raw_events = (res.get("Properties") or {}).get("Events") or {}
    for ev_name, ev in (p.get("Events") or {}).items():
        if ev.get("Type") != "DynamoDB":
            continue
        ep = ev.get("Properties") or {}
        raw_stream = ((raw_events.get(ev_name) or {}).get("Properties") or {}).get("Stream")
        table_id = None
        if isinstance(raw_stream, dict) and "Fn::GetAtt" in raw_stream:
            table_id = str(raw_stream["Fn::GetAtt"][0])
        table_name = refs.table_name(table_id) if table_id else None
        out.append(StreamEventSpec(
            name=ev_name, function_id=logical, stream_arn=str(ep.get("Stream")),
            table_id=table_id, table_name=table_name,
            batch_size=int(ep.get("BatchSize", 100)),
            maximum_batching_window_s=int(ep.get("MaximumBatchingWindowInSeconds", 0)),
            starting_position=str(ep.get("StartingPosition", "LATEST")),
            function_response_types=tuple(ep.get("FunctionResponseTypes") or ()),
            maximum_retry_attempts=int(ep.get("MaximumRetryAttempts", -1)),
            bisect_batch_on_function_error=bool(ep.get("BisectBatchOnFunctionError", False)),
            enabled=bool(ep.get("Enabled", True)),
            filter_criteria=ep.get("FilterCriteria"),
            parallelization_factor=int(ep.get("ParallelizationFactor", 1)),
        ))
    return out
