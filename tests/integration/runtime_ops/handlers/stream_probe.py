"""A tiny, generic stream handler for the poller tests (runs in a LambdaPool worker).

Appends every batch it receives to PROBE_LOG (one JSON line per invocation) and fails
according to PROBE_CONTROL (JSON):
  "fail_times": {key: n}: the key is reported in batchItemFailures while it was
                delivered fewer than n times before
  "raise_on":   keys that make the whole invocation raise, every time
"""

import json
import os


def handler(event, context):
    log_path = os.environ["PROBE_LOG"]
    try:
        with open(os.environ["PROBE_CONTROL"]) as fh:
            control = json.load(fh)
    except FileNotFoundError:
        control = {}
    records = event["Records"]
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
    seen_before = {}
    if os.path.exists(log_path):
        with open(log_path) as fh:
            for line in fh:
                for key in json.loads(line)["keys"]:
                    seen_before[key] = seen_before.get(key, 0) + 1
    with open(log_path, "a") as fh:
        fh.write(json.dumps({"keys": keys, "event": event}) + "\n")
    if any(k in control.get("raise_on", []) for k in keys):
        raise RuntimeError("poison record in batch")
    failures = [
        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
        for r, k in zip(records, keys)
        if seen_before.get(k, 0) < control.get("fail_times", {}).get(k, 0)
    ]
    return {"batchItemFailures": failures}
