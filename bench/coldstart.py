"""Benchmark 3 — cold start of each Lambda handler, and the size of the deployment package.

Each probe is a fresh interpreter (`bench/_coldstart_probe.py`) that imports one handler
and invokes it: the api handler with a real postMessage (the heaviest cold path: room
and membership reads, 4 Comprehend calls, one transaction), the stream handler with the
stream records that post produced (tag-cloud query, SigV4-signed publish mutations), and
a bare boto3 + Powertools AppSyncResolver hello-world as the baseline, all in the same
run, in rotating order. Environment = the template's function environment; DynamoDB Local
serves the table, a loopback stub (bench/_aws_stub.py) answers Comprehend and the
GraphQL publish, so the handlers run unmodified and nothing leaves the machine.

`-X importtime` is measured in separate probes (it slows imports down): its self times
are summed per top-level package to show where import time goes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from ._aws_stub import AwsStub
from ._machine import REPO
from ._model import Section
from ._procs import log
from ._store import ACCESS_KEY, REGION, SECRET_KEY, TABLE, dynamo_store, local_table, missing
from ._store import room_with_languages as _room

PROBE = REPO / "bench" / "_coldstart_probe.py"
KINDS = ("hello", "api", "stream")
LABELS = {"hello": "boto3 + Powertools hello-world", "api": "ApiFunction (api.lambda_handler)",
          "stream": "StreamPublisherFunction (stream.lambda_handler)"}
# The Lambda target of infra/template.yaml: python3.13 on arm64.
PROBE_TIMEOUT_S = 60.0  # a cold start takes seconds; a minute means it is stuck
LAMBDA_PLATFORM = ["--platform", "manylinux2014_aarch64", "--implementation", "cp",
                   "--python-version", "3.13", "--only-binary=:all:"]


def run(quick: bool = False) -> Section:
    repeats = 1 if quick else 5
    section = Section("coldstart", "Cold start of the Lambda handlers, and the package size",
                      _method(repeats))
    started = time.monotonic()
    if reason := missing():
        section.status, section.reason = "skipped", reason
    else:
        try:
            _measure(section, repeats)
        except Exception as exc:
            section.status, section.reason = "error", f"{type(exc).__name__}: {exc}"[:800]
    _package(section, quick)
    section.duration_s = time.monotonic() - started
    return section


def _measure(section: Section, repeats: int) -> None:
    with local_table() as table, AwsStub() as stub, \
            tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        work = Path(tmp)
        events = _events(table, stub)
        paths = {}
        for kind, kind_events in events.items():
            paths[kind] = work / f"{kind}-events.json"
            paths[kind].write_text(json.dumps(kind_events))
        env = _environment(table.endpoint, stub.url)
        # One unrecorded probe each first: every run then reads the .py/.pyc files from the
        # page cache, as Lambda's later cold starts read them from its local disk.
        for kind in KINDS:
            _probe(kind, paths[kind], work, env, importtime=False)
        for repeat in range(repeats):
            order = list(KINDS[repeat % 3:] + KINDS[:repeat % 3])
            for kind in order:
                log(f"coldstart: {kind}, repeat {repeat + 1}")
                try:
                    probe = _probe(kind, paths[kind], work, env, importtime=False)
                except ProbeError as exc:  # one bad probe: say so, keep the other repeats
                    section.notes.append(f"repeat {repeat + 1}: {exc}"[:1500])
                    section.status = "partial"
                    continue
                _record(section, kind, probe)
        breakdown = {}
        for kind in KINDS:
            try:
                probe = _probe(kind, paths[kind], work, env, importtime=True)
            except ProbeError as exc:
                section.notes.append(f"-X importtime: {exc}"[:1500])
                continue
            breakdown[kind] = {"import_ms_with_importtime": round(probe["import_ms"], 1),
                               "top_packages_self_ms": _top_packages(probe["importtime"])}
        section.details["importtime"] = breakdown
    for kind in ("api", "stream"):
        section.pair(f"coldstart.{kind}.import_over_hello", f"{kind} import / hello-world import",
                     f"coldstart.{kind}.import_ms", "coldstart.hello.import_ms",
                     "how many times the hello-world's import cost")
        section.pair(f"coldstart.{kind}.cold_over_hello",
                     f"{kind} import + first invocation / hello-world's",
                     f"coldstart.{kind}.cold_total_ms", "coldstart.hello.cold_total_ms",
                     "how many times the hello-world's cold start (import + first call)")


def _record(section: Section, kind: str, probe: dict[str, Any]) -> None:
    system = "ours" if kind != "hello" else "hello-world"
    first, *rest = probe["invocations_ms"]
    section.figure(f"coldstart.{kind}.import_ms", f"import, {LABELS[kind]}", "ms",
                   system).add(probe["import_ms"])
    section.figure(f"coldstart.{kind}.first_invoke_ms", f"first invocation, {LABELS[kind]}",
                   "ms", system).add(first)
    if rest:
        section.figure(f"coldstart.{kind}.warm_invoke_ms", f"second invocation, {LABELS[kind]}",
                       "ms", system).add(rest[0])
    section.figure(f"coldstart.{kind}.cold_total_ms", f"import + first invocation, {LABELS[kind]}",
                   "ms", system).add(probe["import_ms"] + first)
    section.figure(f"coldstart.{kind}.process_ms",
                   f"whole process (interpreter start to exit), {LABELS[kind]}", "ms",
                   system).add(probe["process_ms"])
    section.details.setdefault("modules_loaded", {})[kind] = probe["modules_loaded"]


class ProbeError(RuntimeError):
    """A probe failed or hung; the message carries its stderr (a traceback if it hung)."""


def _probe(kind: str, events: Path, work: Path, env: dict[str, str], *,
           importtime: bool) -> dict[str, Any]:
    out = work / f"{kind}-out.json"
    out.unlink(missing_ok=True)
    args = [sys.executable, *(["-X", "importtime"] if importtime else []), str(PROBE), kind,
            str(events), str(out)]
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = proc.communicate(timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # PYTHONFAULTHANDLER is set: SIGABRT makes the probe print where it is stuck.
        proc.send_signal(signal.SIGABRT)
        _, stderr = proc.communicate()
        raise ProbeError(f"{kind} probe hung for {PROBE_TIMEOUT_S:g} s; its stacks: "
                         f"{stderr[-1200:]}") from None
    elapsed = (time.perf_counter() - started) * 1e3
    if proc.returncode != 0 or not out.exists():
        raise ProbeError(f"{kind} probe failed ({proc.returncode}): {stderr[-1500:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    _check(kind, result)
    result["process_ms"] = elapsed
    if importtime:
        result["importtime"] = stderr
    return result


def _check(kind: str, result: dict[str, Any]) -> None:
    """A probe that returned an error envelope measured the wrong path: fail loudly."""
    first = result["results"][0]
    if kind == "api" and not (isinstance(first, dict) and first.get("status") == "ACCEPTED"):
        raise RuntimeError(f"api probe did not post a message: {str(first)[:500]}")
    if kind == "stream" and first.get("batchItemFailures"):
        raise RuntimeError(f"stream probe reported failures: {str(first)[:500]}")


def _top_packages(importtime: str, top: int = 10) -> dict[str, float]:
    """Self import time summed per top-level package (ms), largest first."""
    totals: defaultdict[str, float] = defaultdict(float)
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            _, self_us, _cumulative, name = (part.strip() for part in
                                             line.replace("import time:", "|", 1).split("|"))
        except ValueError:
            continue
        totals[name.split(".")[0]] += int(self_us) / 1e3
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
    return {name: round(ms, 1) for name, ms in ranked}


def _environment(ddb_endpoint: str, stub_url: str) -> dict[str, str]:
    """The template's function environment, with local endpoints (no code change)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join([str(REPO / "resolvers"), str(REPO)]),
        "PYTHONFAULTHANDLER": "1",  # a hung probe can be made to print its stacks
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_ENDPOINT_URL_DYNAMODB": ddb_endpoint,
        "AWS_ENDPOINT_URL_COMPREHEND": stub_url,
        "AWS_ENDPOINT_URL_TRANSLATE": stub_url,
        "GRAPHQL_URL": f"{stub_url}/graphql",
        "TABLE_NAME": TABLE, "NLP_PROVIDER": "aws", "MAX_TRANSLATIONS": "5",
        "POWERTOOLS_SERVICE_NAME": "positive-chat", "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        "POWERTOOLS_LOG_LEVEL": "INFO", "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    }


def _events(table: Any, stub: AwsStub) -> dict[str, list[Any]]:
    """Seed a room for alice, then the events each probe invokes (first = cold)."""
    import boto3
    from positive_chat.adapters import nlp
    from positive_chat.bootstrap import Nlp, build_services
    from positive_chat.domain.commands import PostMessage

    from ._store import stream_records, user

    comprehend = boto3.client("comprehend", endpoint_url=stub.url, region_name=REGION,
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    translate = boto3.client("translate", endpoint_url=stub.url, region_name=REGION,
                             aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    services = build_services(dynamo_store(table.endpoint), Nlp(
        nlp.ComprehendLanguageDetector(comprehend), nlp.ComprehendSentimentAnalyzer(comprehend),
        nlp.ComprehendTopicExtractor(comprehend), nlp.AmazonTranslator(translate)))
    room_id = _room(services, ["en"])
    before = len(stream_records(table))
    services.messages.post(PostMessage(user("alice"), room_id, "I love this sunny day in Rome",
                                       "seed-message-0001"))
    batch = stream_records(table)[before:]
    return {
        "hello": [_appsync_event("Query", "hello", {}), _appsync_event("Query", "hello", {})],
        "api": [_post_event(room_id, f"cold-start-{n:04d}") for n in (1, 2)],
        "stream": [{"Records": batch}, {"Records": batch}],
    }


def _post_event(room_id: str, client_id: str) -> dict[str, Any]:
    return _appsync_event("Mutation", "postMessage", {"input": {
        "roomId": room_id, "text": "What a lovely sunny day in Rome, thanks for the tips!",
        "clientId": client_id}}, ["status", "message", "message/id", "message/tags"])


def _appsync_event(parent: str, field: str, arguments: dict[str, Any],
                   selection: list[str] | None = None) -> dict[str, Any]:
    """A Direct Lambda event as AppSync sends it for a Cognito user (alice)."""
    issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench"
    return {
        "arguments": arguments,
        "identity": {"sub": "sub-alice", "issuer": issuer, "username": "alice",
                     "claims": {"sub": "sub-alice", "iss": issuer, "username": "alice",
                                "token_use": "id", "cognito:username": "alice"},
                     "sourceIp": ["127.0.0.1"], "defaultAuthStrategy": "ALLOW", "groups": None},
        "source": None, "prev": None, "stash": {},
        "request": {"headers": {"host": "bench.appsync-api.us-east-1.amazonaws.com"},
                    "domainName": None},
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {},
                 "selectionSetList": selection or [], "selectionSetGraphQL": ""},
    }


# ------------------------------------------------------------------ deployment package


def _package(section: Section, quick: bool) -> None:
    """pip install -r resolvers/requirements.txt + resolvers/ into a temp dir, zipped."""
    if quick:
        section.notes.append("--quick: the deployment package is not built (it downloads "
                             "the arm64 wheels from PyPI)")
        return
    log("coldstart: building the deployment package")
    with tempfile.TemporaryDirectory(prefix="bench-pkg-") as tmp:
        target = Path(tmp) / "package"
        platform = "python3.13 / arm64 (the template's Runtime and Architectures)"
        ok, output = _pip(target, LAMBDA_PLATFORM)
        if not ok:
            shutil.rmtree(target, ignore_errors=True)
            platform = f"this machine's Python {sys.version.split()[0]} (the arm64 wheels failed)"
            ok, output = _pip(target, [])
        if not ok:
            section.notes.append(f"deployment package not measured: pip failed: {output[-600:]}")
            if section.status == "ok":
                section.status = "partial"
            return
        for item in (REPO / "resolvers").iterdir():
            if item.name == "__pycache__":
                continue
            if item.is_dir():
                shutil.copytree(item, target / item.name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(item, target / item.name)
        archive = Path(tmp) / "package.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(target.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(target))
        unzipped = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        section.figure("package.zip_mb", "deployment package, zipped", "MB", "ours").add(
            archive.stat().st_size / 1e6)
        section.figure("package.unzipped_mb", "deployment package, unzipped (limit 250 MB)", "MB",
                       "ours").add(unzipped / 1e6)
        section.details["package"] = {"platform": platform,
                                      "largest_mb": _largest(target),
                                      "quick": quick}


def _pip(target: Path, platform_args: list[str]) -> tuple[bool, str]:
    args = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-compile", "--target", str(target), *platform_args,
            "-r", str(REPO / "resolvers" / "requirements.txt")]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        return False, "pip timed out after 600 s"
    return done.returncode == 0, done.stdout + done.stderr


def _largest(target: Path, top: int = 8) -> dict[str, float]:
    sizes: defaultdict[str, int] = defaultdict(int)
    for path in target.rglob("*"):
        if path.is_file():
            top_name = path.relative_to(target).parts[0]
            if top_name.endswith((".dist-info", ".libs")):
                top_name = "(metadata and shared libs)"
            sizes[top_name] += path.stat().st_size
    ranked = sorted(sizes.items(), key=lambda kv: -kv[1])[:top]
    return {name: round(size / 1e6, 2) for name, size in ranked}


def _method(repeats: int) -> str:
    return (
        f"{repeats} fresh interpreter(s) per handler, rotating order. import = "
        "`importlib.import_module(handler module)`; first invocation = the handler called once "
        "(api: postMessage as a Cognito user on a seeded room, NLP_PROVIDER=aws; stream: the "
        "stream records of one post, publishing to GRAPHQL_URL with SigV4); whole process = "
        "spawn to exit of `python bench/_coldstart_probe.py`. Store: DynamoDB Local (in-memory); "
        "Comprehend/Translate and the GraphQL endpoint: a loopback stub (`bench/_aws_stub.py`), "
        "via botocore's AWS_ENDPOINT_URL_<SERVICE> variables, so the handler code is unchanged. "
        "Baseline, same run: a bare `boto3` + Powertools `AppSyncResolver` hello-world "
        "(`bench/_coldstart_hello.py`, one boto3 client at module level). `-X importtime` runs "
        "separately (it inflates imports); its self times are summed per top-level package. "
        "Package: `pip install -r resolvers/requirements.txt --target DIR` for the template's "
        "runtime (python3.13, arm64 wheels) + `resolvers/`, zipped with deflate level 9. This "
        "machine's CPU is not Lambda's: read ratios to the hello-world, not absolute times."
    )
