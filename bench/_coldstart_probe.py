"""One cold start, in the fresh interpreter this file runs in (bench/coldstart.py spawns it).

usage: python [-X importtime] bench/_coldstart_probe.py KIND EVENTS_JSON OUT_JSON
KIND: api | stream | hello. EVENTS_JSON holds a list of events, invoked in order (the first
is the cold invocation). Results go to OUT_JSON, because the handlers own stdout (logs).
"""

import time

T_START = time.perf_counter()  # before any other import: the module's first statement

import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

HANDLERS = {
    "api": "positive_chat.handlers.api",
    "stream": "positive_chat.handlers.stream",
    "hello": "bench._coldstart_hello",
}


class Context:
    """The LambdaContext attributes Powertools reads."""

    function_name = "bench-coldstart"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench-coldstart"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/bench-coldstart"
    log_stream_name = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 15000


def main() -> None:
    kind, events_path, out_path = sys.argv[1:4]
    with open(events_path) as handle:
        events = json.load(handle)
    t0 = time.perf_counter()
    module = importlib.import_module(HANDLERS[kind])
    handler = module.lambda_handler
    t1 = time.perf_counter()
    invocations = []
    results = []
    for event in events:
        started = time.perf_counter()
        results.append(handler(event, Context()))
        invocations.append((time.perf_counter() - started) * 1e3)
    with open(out_path, "w") as handle:
        json.dump({"import_ms": (t1 - t0) * 1e3, "invocations_ms": invocations,
                   "probe_overhead_ms": (t0 - T_START) * 1e3,
                   "results": results, "modules_loaded": len(sys.modules)}, handle, default=str)


if __name__ == "__main__":
    main()
