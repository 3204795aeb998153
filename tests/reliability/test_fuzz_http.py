"""Bad input over HTTP: property-based fuzzing of POST /graphql against the running runtime.

Each case is a request generated from schema.graphql (``_fuzz.graphql_bodies``) or a
malformed body (``_fuzz.malformed_bodies``), sent with a random kind of credentials.
Every answer must pass the AppSync-shape oracle (``_shape.http_problems``: no 5xx, every
error shaped as in reference section 2, no server-fault errorType). After the run the
runtime must answer the health query, and the table must hold its invariants
(``_invariants``: no message without its tag links/counters/guard, no orphan guard).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import _fuzz, _invariants
from ._http import Cred, Credentials, SyncClient
from ._runtime import RelRuntime
from ._shape import http_problems
from .conftest import Api, World

pytestmark = pytest.mark.dynamodb_local

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reliability"
# Mostly a member of the target rooms, so mutations reach the resolvers and write.
CALLERS = [Cred.MEMBER] * 6 + [Cred.OWNER, Cred.OUTSIDER, Cred.ANALYST, Cred.API_KEY,
                               Cred.IAM, Cred.NONE, Cred.EXPIRED, Cred.FORGED, Cred.BAD_SIGV4]


@dataclass
class FuzzEnv:
    rt: RelRuntime
    creds: Credentials
    client: SyncClient
    known_ids: list[str]
    stats: Counter[str] = field(default_factory=Counter)
    # "<root field> <answer>" for GraphQL cases, and postMessage statuses: how far the
    # cases got (the report shows whether writes really reached the resolvers).
    by_field: Counter[str] = field(default_factory=Counter)
    cases: int = 0


@pytest.fixture
def env(rt: RelRuntime, shared_creds: Credentials, world: World, api: Api
        ) -> Iterator[FuzzEnv]:
    ids = [f"room:{world.public_room}", f"room:{world.private_room}"]
    for room in (world.public_room, world.private_room):
        ids += [f"message:{m['id']}" for m in api.sync_all(room)]
    client = SyncClient(rt)
    yield FuzzEnv(rt, shared_creds, client, ids)
    client.close()


def _root_field(query: object) -> str:
    try:
        document = parse(query) if isinstance(query, str) else None
    except GraphQLError:
        document = None
    for definition in document.definitions if document else ():
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    return selection.name.value
    return "(no field)"


def _send(env: FuzzEnv, body: bytes, cred: Cred, content_type: str = "application/json",
          query: object = None) -> list[str]:
    answer = env.client.post(body, env.creds.headers(cred, body, content_type),
                             content_type=content_type)
    env.cases += 1
    kinds = sorted({str(e.get("errorType") or ("validation" if e.get("locations") else "other"))
                    for e in answer.errors}) or ["data"]
    outcome = f"{answer.status} {','.join(kinds)}"
    env.stats[outcome] += 1
    if query is not None:
        root = _root_field(query)
        env.by_field[f"{root}: {outcome}"] += 1
        posted = (answer.data or {}).get("postMessage") if isinstance(answer.data, dict) else None
        if root == "postMessage" and isinstance(posted, dict):
            env.by_field[f"postMessage status {posted.get('status', '(not selected)')}"] += 1
    problems = http_problems(answer.status, answer.body)
    return [f"{p}\n  request ({cred.value}): {body[:500]!r}" for p in problems]


def _after(env: FuzzEnv, api: Api, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    report = _invariants.check_table(env.rt.dynamodb())
    (OUTPUT / f"{name}.json").write_text(json.dumps(
        {"cases": env.cases, "answers": dict(env.stats.most_common()),
         "by_root_field": dict(sorted(env.by_field.items())),
         "table": report.summary(), "problems": report.problems}, indent=2))
    assert api.healthy(), "the runtime does not answer the health query after fuzzing"
    assert env.rt.running, "the runtime died"
    assert not report.problems, "half-written data after fuzzing:\n" + "\n".join(report.problems)


def run_fuzz(env: FuzzEnv, api: Api, graphql_cases: int, malformed_cases: int,
             name: str) -> None:
    def fuzz_settings(cases: int) -> settings:
        # The short run (make test) is derandomized so CI is reproducible; the long soak
        # run explores new inputs each time.
        return settings(max_examples=cases, deadline=None, database=None, print_blob=True,
                        derandomize=cases < 1000, suppress_health_check=list(HealthCheck))

    @fuzz_settings(graphql_cases)
    @given(data=st.data(), cred=st.sampled_from(CALLERS))
    def graphql_requests(data: st.DataObject, cred: Cred) -> None:
        body = data.draw(_fuzz.graphql_bodies(env.known_ids), label="body")
        # NaN/Infinity are sent as generated: the runtime must refuse them (DEFECT-2).
        raw = json.dumps(body).encode("ascii")
        problems = _send(env, raw, cred, query=body.get("query"))
        assert not problems, "\n".join(problems)

    @fuzz_settings(malformed_cases)
    @given(body=_fuzz.malformed_bodies, cred=st.sampled_from(CALLERS),
           content_type=st.sampled_from(["application/json"] * 4 + [
               "text/plain", "application/x-www-form-urlencoded", "application/graphql"]))
    def malformed_requests(body: bytes, cred: Cred, content_type: str) -> None:
        problems = _send(env, body, cred, content_type)
        assert not problems, "\n".join(problems)

    graphql_requests()
    malformed_requests()
    _after(env, api, name)
    assert env.cases >= graphql_cases + malformed_cases


def test_fuzz_http_short(env: FuzzEnv, api: Api) -> None:
    run_fuzz(env, api, graphql_cases=240, malformed_cases=60, name="fuzz-http-short")


@pytest.mark.slow
def test_fuzz_http_long(env: FuzzEnv, api: Api) -> None:
    run_fuzz(env, api, graphql_cases=8000, malformed_cases=2000, name="fuzz-http-long")
