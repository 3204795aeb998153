from __future__ import annotations

import itertools

import pytest
from positive_chat.bootstrap import Nlp, Store, build_services
from positive_chat.domain.model import Caller, CallerKind

from tests.fakes import (
    CapitalisedTopics,
    InMemoryStore,
    RecordingTranslator,
    ScriptedDetector,
    ScriptedSentiment,
)


class World:
    """A service graph on in-memory ports, with a controllable clock."""

    def __init__(
        self, translator: RecordingTranslator | None = None, max_translations: int = 5
    ) -> None:
        self.store = InMemoryStore()
        self.detector = ScriptedDetector()
        self.sentiment = ScriptedSentiment()
        self.translator = translator or RecordingTranslator()
        self.clock = itertools.count(1_700_000_000_000, 1000)
        self.now = 0
        self.services = build_services(
            Store(self.store, self.store, self.store, self.store, self.store, self.store),
            Nlp(self.detector, self.sentiment, CapitalisedTopics(), self.translator),
            max_translations=max_translations,
            clock_ms=self._tick,
        )

    def _tick(self) -> int:
        self.now = next(self.clock)
        return self.now


def user(name: str, *groups: str) -> Caller:
    return Caller(CallerKind.USER, user_id=f"sub-{name}", username=name, groups=frozenset(groups))


ALICE = user("alice")
BOB = user("bob")
CAROL_ANALYST = user("carol", "analysts")
DAVE_MODERATOR = user("dave", "moderators")
ANONYMOUS = Caller(CallerKind.API_KEY)
TOOL = Caller(CallerKind.IAM, username="arn:aws:iam::000000000000:user/tool")


@pytest.fixture
def world() -> World:
    return World()
