"""How a stream batch went, from the function's answer (Lambda's ReportBatchItemFailures rules).

AWS: with `FunctionResponseTypes: [ReportBatchItemFailures]` the function returns
`{"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}, ...]}`. A null/empty
response or list is a complete success; an identifier that is null, empty or not in the
batch makes the whole batch a failure; otherwise processing resumes at the lowest failed
sequence number (the records before it are checkpointed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COMPLETE_FAILURE = 0


def first_failed_index(result: Any, sequence_numbers: Sequence[str]) -> int | None:
    """None on success, else the index in the batch from which to retry (0 = whole batch)."""
    if not isinstance(result, dict):
        return None
    failures = result.get("batchItemFailures")
    if not failures:
        return None
    if not isinstance(failures, list):
        return COMPLETE_FAILURE
    position = {seq: i for i, seq in enumerate(sequence_numbers)}
    indexes = []
    for failure in failures:
        ident = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(ident, str) or ident not in position:
            return COMPLETE_FAILURE
        indexes.append(position[ident])
    return min(indexes)
