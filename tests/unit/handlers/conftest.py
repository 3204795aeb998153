from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from positive_chat.handlers.context import use_services

from tests.unit.services.conftest import World


@dataclass
class FakeLambdaContext:
    function_name: str = "ApiFunction"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:ApiFunction"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/ApiFunction"
    log_stream_name: str = "local"
    remaining_ms: int = 10_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "PositiveChatTests")
    w = World()
    use_services(w.services)
    yield w
    use_services(None)


@pytest.fixture
def context() -> FakeLambdaContext:
    return FakeLambdaContext()
