"""`pchat analytics` and `pchat export --format parquet` against the real local runtime.

alice posts through the CLI (the real moderation pipeline tags the messages); carol, a
seeded analyst, reads the counters and exports the messages of a tag.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pchat import Config

from tests.runtime_process import RuntimeProcess

from .test_offline_e2e import pchat

pytestmark = pytest.mark.dynamodb_local
pq = pytest.importorskip("pyarrow.parquet")

POSTS = [
    "Lisbon coffee is wonderful this morning",
    "A sunny afternoon walk around Lisbon with friends",
    "Lisbon sunsets always make me happy",
    "Fresh coffee and pastries for everyone, thank you",
]


def test_an_analyst_reads_trends_and_top_tags_and_exports_parquet(
        runtime: RuntimeProcess, config: Config, config_dir: Path, tmp_path: Path) -> None:
    path = runtime.config_path

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # A cold Lambda worker loads the NLP models first: allow it on a busy machine.
        return pchat(path, config_dir, *args, "--timeout", "120")

    def cli(*args: str) -> str:
        done = run(*args)
        assert done.returncode == 0, f"pchat {' '.join(args)}: {done.stderr}"
        return done.stdout

    # Given alice's room with a few friendly messages, tagged by the server
    cli("login", "alice")
    room = json.loads(cli("--json", "create-room", "analytics e2e", "--language", "en"))["id"]
    posted = [json.loads(cli("--json", "send", room, text))["result"]["message"]
              for text in POSTS]
    tags = Counter(tag for message in posted for tag in message["tags"])
    tag, uses = tags.most_common(1)[0]
    assert uses >= 2, f"the pipeline found no shared tag: {tags}"
    # (alice is no analyst: across all rooms is refused)
    refused = run("analytics", "top", "--from", "1h")
    assert refused.returncode == 3 and "Unauthorized" in refused.stderr

    # When carol, an analyst, asks for the top tags of the room and of every room
    cli("login", "carol")
    top = [json.loads(line) for line in
           cli("--json", "analytics", "top", "--room", room, "--from", "1d").splitlines()]
    everywhere = {row["tag"]: row["count"] for row in map(json.loads, cli(
        "--json", "analytics", "top", "--from", "1d", "--limit", "100").splitlines())}
    # Then the room's counters are exactly the posted tags, ranked by count then tag
    assert [(row["tag"], row["count"]) for row in top] == sorted(
        tags.items(), key=lambda item: (-item[1], item[0]))[:20]
    assert all(everywhere.get(name, 0) >= count for name, count in tags.items())

    # And the trend of the shared tag counts every message in the current hour
    trend = json.loads(cli("--json", "analytics", "trends", "--tag", tag, "--room", room,
                           "--from", "3h", "--to", "1h"))
    assert trend["granularity"] == "HOUR" and trend["total"] == 0
    trend = json.loads(cli("--json", "analytics", "trends", "--tag", tag, "--room", room,
                           "--from", "3h"))
    assert trend["granularity"] == "HOUR" and trend["total"] == uses
    assert [b["count"] for b in trend["buckets"]][-1] == uses  # the current hour
    assert len(trend["buckets"]) in (3, 4)  # [now - 3h, now) widened to whole hours
    drawn = cli("analytics", "trends", "--tag", tag, "--room", room, "--from", "3h")
    assert f"#{tag} in room {room}, per hour (UTC)" in drawn and "█" in drawn

    # And room stats count alice's posts
    stats = json.loads(cli("--json", "analytics", "stats", "--room", room, "--from", "1d"))
    assert (stats["accepted"], stats["deleted"], stats["active_authors"]) == (len(POSTS), 0, 1)

    # And a Parquet export of the tag holds exactly its messages, newest first
    target = tmp_path / "tag.parquet"
    done = run("export", "--tag", tag, "--room", room, "--from", "1d", "--format", "parquet",
               "--page-size", "1", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert f"exported {uses} message(s) in {uses} page(s)" in done.stderr
    table = pq.read_table(target).to_pylist()
    expected = [m for m in reversed(posted) if tag in m["tags"]]
    assert [(r["id"], r["text"]) for r in table] == [(m["id"], m["text"]) for m in expected]
    assert all(tag in r["tags"] and r["roomId"] == room for r in table)
    assert not Path(f"{target}.pchat-export.json").exists()
