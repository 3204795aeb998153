"""Subprocess side of the Lambda pool: one warm "execution environment" for one function.

Run as ``python -u _lambda_worker.py CODE_URI HANDLER``. It imports only the standard
library (the handler's import space must not see the runtime's modules). Protocol,
one JSON object per line:
  parent -> worker (stdin):  {"event": ..., "request_id": str, "deadline_ms": int}
  worker -> parent (a private dup of the original stdout):
      {"type": "ready"} | {"type": "init_error", "errorType", "errorMessage"}
      {"type": "result", "result": ...} | {"type": "error", "errorType", "errorMessage"}
The handler's own stdout and stderr both go to stderr, which the parent logs (like
CloudWatch Logs receives both streams of a real function).
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's directory (appsync_local/) is sys.path[0]. Drop it before
# importing anything else, so no runtime module can shadow a standard one: a module named
# ``_json.py`` there once replaced json's C accelerator, and every json call in every
# function then ran in pure Python (several times slower). main() puts the code in front.
if sys.path and os.path.realpath(sys.path[0] or os.curdir) == os.path.dirname(
        os.path.realpath(__file__)):
    del sys.path[0]

import decimal
import importlib
import json
import logging
import time
import traceback
from typing import IO, Any


class LambdaContext:
    """The attributes of the Python runtime's context object (awslambdaric)."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = env.get("APPSYNC_LOCAL_FUNCTION_ARN", "")
        # The real runtime reads this from the environment, so it is a *string*.
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, msg: str) -> None:
        sys.stdout.write(msg)


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _decimal_default(obj: Any) -> Any:
    # The Python runtime serialises Decimal (common from boto3 DynamoDB reads) as a number.
    if isinstance(obj, decimal.Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _send(out: IO[str], msg: dict[str, Any]) -> None:
    out.write(json.dumps(msg, default=_decimal_default, allow_nan=True) + "\n")
    out.flush()


def _load_handler(handler: str) -> Any:
    module_name, _, func_name = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise _InitError("Runtime.UserCodeSyntaxError",
                         f"Syntax error in module '{module_name}': {exc}") from exc
    except Exception as exc:
        raise _InitError("Runtime.ImportModuleError",
                         f"Unable to import module '{module_name}': {exc}") from exc
    func = getattr(module, func_name, None)
    if func is None:
        raise _InitError("Runtime.HandlerNotFound",
                         f"Handler '{func_name}' missing on module '{module_name}'")
    return func


class _InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


def _invoke(func: Any, req: dict[str, Any], out: IO[str], rid: _RequestIdFilter) -> None:
    rid.request_id = req["request_id"]
    ctx = LambdaContext(req["request_id"], int(req["deadline_ms"]))
    try:
        result = func(req["event"], ctx)
    except Exception as exc:
        etype = type(exc).__name__
        # Lambda writes the failure to the function's log as well as returning it.
        print(f"[ERROR] {etype}: {exc}\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        _send(out, {"type": "error", "errorType": etype, "errorMessage": str(exc)})
        return
    try:
        payload = json.dumps({"type": "result", "result": result},
                             default=_decimal_default, allow_nan=True)
    except (TypeError, ValueError) as exc:
        _send(out, {"type": "error", "errorType": "Runtime.MarshalError",
                    "errorMessage": f"Unable to marshal response: {exc}"})
        return
    out.write(payload + "\n")
    out.flush()


def main() -> None:
    code_uri, handler = sys.argv[1], sys.argv[2]
    # The protocol gets a private copy of stdout; fd 1 then points at stderr so that
    # print() in handler code (and C extensions writing to fd 1) lands in the logs.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # This file's directory left sys.path at import; the function's code goes first, so
    # only it is importable besides the standard library and installed packages (like
    # /var/task).
    sys.path.insert(0, code_uri)
    os.chdir(code_uri)
    rid = _RequestIdFilter()
    log_handler = logging.StreamHandler(sys.stderr)
    log_handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    log_handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    log_handler.addFilter(rid)
    logging.getLogger().addHandler(log_handler)
    try:
        func = _load_handler(handler)
    except _InitError as exc:
        traceback.print_exc()
        _send(out, {"type": "init_error", "errorType": exc.error_type,
                    "errorMessage": exc.message})
        sys.exit(1)
    _send(out, {"type": "ready"})
    for line in sys.stdin:
        if line.strip():
            _invoke(func, json.loads(line), out, rid)


if __name__ == "__main__":
    main()
