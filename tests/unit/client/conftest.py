from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pchat import ChatClient, Outbox

from tests.unit.client.fake_api import FakeApi


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def client(api: FakeApi) -> ChatClient:
    return ChatClient(api)


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "outbox.sqlite"


@pytest.fixture
def outbox(outbox_path: Path) -> Iterator[Outbox]:
    box = Outbox(outbox_path)
    yield box
    box.close()
