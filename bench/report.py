"""Write bench/results/latest.json (everything) and latest.md (for people).

latest.md starts with one summary table: each headline figure of ours next to its
baseline from the same run, as median (min-max) over the repeats, and the paired ratio.
Then one part per benchmark: how it was measured, caveats, every figure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._model import Section

SCHEMA = "positive-chat-bench/1"


@dataclass(frozen=True)
class Row:
    """A summary line: ours, and per baseline (name, figure key, paired-ratio key)."""

    section: str
    label: str
    ours: str
    baselines: tuple[tuple[str, str, str], ...] = ()


def summary_rows(sections: dict[str, dict[str, Any]]) -> list[Row]:
    rows: list[Row] = []
    fanout = sections.get("fanout")
    sizes = sorted({int(f["params"]["subscribers"]) for f in (fanout or {}).get("figures", [])
                    if "subscribers" in f.get("params", {})})
    for n in sizes:
        for metric, label, ratio in (("burst_deliveries_per_s", "deliveries/s (burst)",
                                      "burst_rate"),
                                     ("latency_p50_ms", "latency p50 (ms)", "p50"),
                                     ("latency_p99_ms", "latency p99 (ms)", "p99"),
                                     ("mutation_response_p50_ms", "mutation HTTP response p50 (ms)",
                                      "response")):
            if metric.startswith("mutation_response") and n != sizes[0]:
                continue  # one row is enough: it does not depend on the subscriber count
            rows.append(Row("fanout", f"fan-out, {n} subscriber(s): {label}",
                            f"fanout.ours.n{n}.{metric}",
                            (("peer (amplify-appsync-simulator 2.4.1)",
                              f"fanout.peer.n{n}.{metric}", f"fanout.n{n}.{ratio}.ours_over_peer"),
                             ("ceiling (raw websockets broadcast)",
                              f"fanout.ceiling.n{n}.{metric}",
                              f"fanout.n{n}.{ratio}.ours_over_ceiling"))))
    for key, label in (("pipeline.sustainable_rate",
                        "pipeline: highest sustained probe rate (msg/s; target 50)"),
                       ("pipeline.offered_rate", "pipeline: offered load of the runs (msg/s)"),
                       ("pipeline.delivered_rate", "pipeline: messages delivered to all subs/s"),
                       ("pipeline.e2e_p50_ms", "pipeline: end-to-end p50 (ms)"),
                       ("pipeline.e2e_p95_ms", "pipeline: end-to-end p95 (ms)"),
                       ("pipeline.e2e_p99_ms", "pipeline: end-to-end p99 (ms)"),
                       ("pipeline.lost_deliveries", "pipeline: lost deliveries"),
                       ("pipeline.duplicate_deliveries", "pipeline: duplicate deliveries")):
        rows.append(Row("pipeline", label, key))
    hello = ("boto3 + Powertools hello-world",)
    for kind, name in (("api", "ApiFunction"), ("stream", "StreamPublisher")):
        rows.append(Row("coldstart", f"cold start {name}: import (ms)",
                        f"coldstart.{kind}.import_ms",
                        ((hello[0], "coldstart.hello.import_ms",
                          f"coldstart.{kind}.import_over_hello"),)))
        rows.append(Row("coldstart", f"cold start {name}: import + first call (ms)",
                        f"coldstart.{kind}.cold_total_ms",
                        ((hello[0], "coldstart.hello.cold_total_ms",
                          f"coldstart.{kind}.cold_over_hello"),)))
    rows.append(Row("coldstart", "deployment package, zipped (MB)", "package.zip_mb"))
    rows.append(Row("coldstart", "deployment package, unzipped (MB)", "package.unzipped_mb"))
    every = ("lingua over all 75 languages",)
    rows.append(Row("nlp", "local NLP per message, warm (µs)", "nlp.configured.message_us",
                    ((every[0], "nlp.all-languages.message_us",
                      "nlp.message.configured_over_all"),)))
    rows.append(Row("nlp", "local NLP resident memory (MB)", "nlp.configured.rss_mb",
                    ((every[0], "nlp.all-languages.rss_mb", "nlp.rss.configured_over_all"),)))
    for languages in (1, 3, 5):
        tag = f"cost.l{languages}.accepted"
        rows.append(Row("cost", f"Comprehend+Translate $/1M accepted msgs, {languages} lang.",
                        f"{tag}.nlp_usd_per_million",
                        (("2019 call pattern", f"{tag}.nlp_usd_per_million_2019",
                          f"{tag}.nlp_ours_over_2019"),)))
        rows.append(Row("cost", f"all AWS $/1M accepted msgs, {languages} lang. (ours)",
                        f"{tag}.usd_per_million"))
    rows.append(Row("cost", "all AWS $/1M rejected msgs (ours)", "cost.l1.rejected.usd_per_million",
                    (("2019 call pattern (NLP only)", "cost.l1.rejected.nlp_usd_per_million_2019",
                      "cost.l1.rejected.nlp_ours_over_2019"),)))
    return rows


def rerender(out_dir: Path) -> Path:
    """latest.md again from latest.json (after a change to this module; no re-measuring)."""
    data = json.loads((out_dir / "latest.json").read_text())
    md_path = out_dir / "latest.md"
    _atomic(md_path, render_markdown(data))
    return md_path


def write(out_dir: Path, run: dict[str, Any], sections: Iterable[Section],
          analytics: list[dict[str, Any]]) -> tuple[Path, Path]:
    data = build(run, sections, analytics)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "latest.json", out_dir / "latest.md"
    _atomic(json_path, json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    _atomic(md_path, render_markdown(data))
    return json_path, md_path


def build(run: dict[str, Any], sections: Iterable[Section],
          analytics: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {s.name: s.to_json() for s in sections}
    data = {"schema": SCHEMA, **run, "sections": by_name, "analytics": analytics}
    data["summary"] = [_summary_json(row, by_name) for row in summary_rows(by_name)]
    return data


def _summary_json(row: Row, sections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    section = sections.get(row.section, {})
    figures = {f["key"]: f for f in section.get("figures", [])}
    ratios = {r["key"]: r for r in section.get("ratios", [])}
    return {
        "section": row.section, "label": row.label, "ours": _brief(figures.get(row.ours)),
        "baselines": [{"name": name, "value": _brief(figures.get(key)),
                       "ratio": _brief(ratios.get(ratio))} for name, key, ratio in row.baselines],
    }


def _brief(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: item.get(k) for k in ("key", "unit", "median", "min", "max", "n")}


# ------------------------------------------------------------------ markdown


def render_markdown(data: dict[str, Any]) -> str:
    machine, versions = data["machine"], data["versions"]
    lines = [
        "# Positive Chat benchmarks",
        "",
        f"Generated {data['generated_at']} by `{data['command']}` in "
        f"{data['duration_s'] / 60:.1f} min{' (--quick: smoke run, not figures to quote)' if data['quick'] else ''}.",
        "",
        f"**Machine:** {machine['nproc']} CPUs ({machine['cpu_model']}), "
        f"{machine['memory_gb']} GB RAM, Linux {machine['kernel']}; load average "
        f"{_load(machine.get('loadavg_start'))} at start, {_load(machine.get('loadavg_end'))} at "
        "the end. The machine is shared: compare the ratios (each measured within one repeat) "
        "rather than absolute times.",
        "",
        f"**Versions:** Python {versions['python']}, Node {versions.get('node') or '—'}, "
        f"{versions.get('java') or 'no Java'}, DynamoDB Local from "
        f"{versions.get('dynamodb_local') or '—'}, amplify-appsync-simulator "
        f"{versions.get('amplify_appsync_simulator') or 'not installed'}; "
        + ", ".join(f"{k} {v}" for k, v in versions["packages"].items() if v)
        + f"; commit {versions.get('git_commit')}{' (+ uncommitted changes)' if versions.get('git_dirty') else ''}.",
        "",
        "## Summary",
        "",
        "Median over repeats, (min-max) in brackets. Ratio = ours / baseline, paired repeat by "
        "repeat.",
        "",
        "| Figure | Ours | Baseline | Baseline value | Ours / baseline |",
        "|---|---|---|---|---|",
    ]
    for row in data["summary"]:
        ours = _cell(row["ours"])
        if not row["baselines"]:
            lines.append(f"| {row['label']} | {ours} | — | — | — |")
        for base in row["baselines"]:
            lines.append(f"| {row['label']} | {ours} | {base['name']} | {_cell(base['value'])} "
                         f"| {_cell(base['ratio'], ratio=True)} |")
    lines.append("")
    headlines = [s["details"]["headline"] for s in data["sections"].values()
                 if (s.get("details") or {}).get("headline")]
    if headlines:
        lines += ["**Read this first:**", ""] + [f"- {h}" for h in headlines] + [""]
    statuses = [f"{name}: {s['status']}" + (f" ({s['reason']})" if s["reason"] else "")
                for name, s in data["sections"].items() if s["status"] != "ok"]
    if statuses:
        lines += ["**Not fully measured:** " + "; ".join(statuses), ""]
    for section in data["sections"].values():
        lines += _section_md(section)
    lines += _analytics_md(data.get("analytics") or [])
    return "\n".join(lines) + "\n"


def _section_md(section: dict[str, Any]) -> list[str]:
    lines = [f"## {section['title']}", "",
             f"Status: **{section['status']}**" + (f" — {section['reason']}" if section["reason"]
                                                   else "")
             + f"; {section['duration_s']:.0f} s.", "", f"**Method.** {section['method']}", ""]
    if section["notes"]:
        lines += ["**Notes.**", ""] + [f"- {note}" for note in section["notes"]] + [""]
    if section["figures"]:
        lines += ["| Figure | System | Median | Min-max | IQR | n |", "|---|---|---|---|---|---|"]
        for f in section["figures"]:
            lines.append(f"| {f['label']} ({f['unit']}) | {f['system']} | {_num(f['median'])} | "
                         f"{_num(f['min'])}-{_num(f['max'])} | {_num(f['q1'])}-{_num(f['q3'])} "
                         f"| {int(f['n'] or 0)} |")
        lines.append("")
    if section["ratios"]:
        lines += ["| Ratio | Median | Min-max | Reading |", "|---|---|---|---|"]
        for r in section["ratios"]:
            lines.append(f"| {r['label']} | {_num(r['median'], ratio=True)} | "
                         f"{_num(r['min'], ratio=True)}-{_num(r['max'], ratio=True)} | "
                         f"{r['meaning']} |")
        lines.append("")
    lines += _details_md(section)
    return lines


def _details_md(section: dict[str, Any]) -> list[str]:
    details = section.get("details") or {}
    lines: list[str] = []
    if section["name"] == "coldstart":
        for kind, info in (details.get("importtime") or {}).items():
            top = ", ".join(f"{name} {ms:g}" for name, ms in info["top_packages_self_ms"].items())
            lines.append(f"- `-X importtime`, {kind}: self time by top-level package (ms): {top}")
        package = details.get("package")
        if package:
            largest = ", ".join(f"{k} {v:g}" for k, v in package["largest_mb"].items())
            lines.append(f"- package built for {package['platform']}; largest parts (MB): "
                         f"{largest}")
        if lines:
            lines.append("")
    if section["name"] == "cost":
        breakdown = details.get("breakdown_usd_per_million") or {}
        if breakdown:
            parts = sorted({p for v in breakdown.values() for p in v})
            lines += ["$ per million messages by service (median message):", "",
                      "| Room | " + " | ".join(parts) + " |",
                      "|---|" + "---|" * len(parts)]
            for room, values in breakdown.items():
                lines.append(f"| {room} | " + " | ".join(_num(values.get(p)) for p in parts)
                             + " |")
            lines.append("")
        calls = details.get("calls_per_message") or {}
        if calls:
            lines += ["AWS calls per message (median):", ""]
            for room, ops in calls.items():
                lines.append(f"- {room}: " + ", ".join(f"{op} {n:g}" for op, n in ops.items()))
            lines.append("")
    if section["name"] == "pipeline" and details.get("runs"):
        last = details["runs"][-1]
        roles = last.get("cpu_by_role_s") or {}
        total = sum(roles.values()) or 1.0
        lines += [f"Where the runtime's CPU went (last repeat, {last['accepted']} messages, "
                  f"{total:.0f} CPU-s): " + ", ".join(
                      f"{role} {100 * sec / total:.0f} %" for role, sec in
                      sorted(roles.items(), key=lambda kv: -kv[1])), ""]
    if section["name"] == "pipeline" and details.get("rate_probes"):
        lines += ["Rate probes:", ""] + [
            f"- {p['rate']:g} msg/s: {'sustained' if p['sustained'] else 'not sustained: ' + p['why']}"
            f" (capacity seen {p['capacity_msgs_per_s']} msg/s, e2e p50 {p['e2e_p50_ms']} ms, "
            f"p99 {p['e2e_p99_ms']} ms)" for p in details["rate_probes"]] + [""]
    if section["name"] == "fanout":
        lines += _keepalive_stall(section)
    if section["name"] == "fanout" and details.get("runs"):
        busy = [r for r in details["runs"]
                if r["client_cpu_s"] / max(1e-9, r["burst_span_s"] * r["client_processes"]) > 0.8]
        if busy:
            lines += ["**Client-bound runs** (a subscriber process was > 80 % busy during the "
                      "burst, so these deliveries/s are a client limit): " + ", ".join(
                          f"{r['target']} n={r['subscribers']} repeat {r['repeat'] + 1}"
                          for r in busy) + ".", ""]
        lost = [r for r in details["runs"] if r["isolated_missing"] or r["burst_missing"]
                or r["isolated_duplicates"] or r["burst_duplicates"]]
        lines += [f"Delivery check: {len(details['runs']) - len(lost)} of {len(details['runs'])} "
                  "runs delivered every frame exactly once" + (
                      "; incomplete: " + ", ".join(
                          f"{r['target']} n={r['subscribers']} repeat {r['repeat'] + 1} "
                          f"(missing {r['isolated_missing'] + r['burst_missing']}, duplicates "
                          f"{r['isolated_duplicates'] + r['burst_duplicates']})" for r in lost)
                      if lost else "") + ".", ""]
    return lines


def _keepalive_stall(section: dict[str, Any]) -> list[str]:
    """Name the known cause when ours answers mutations ~40 ms late and the peer does not."""
    figures = {f["key"]: f for f in section["figures"]}
    ours, peer = figures.get("fanout.ours.n1.mutation_response_p50_ms"), figures.get(
        "fanout.peer.n1.mutation_response_p50_ms")
    if not ours or not peer or ours["median"] is None or peer["median"] is None:
        return []
    if not (ours["median"] > 30 and ours["median"] > 3 * peer["median"]):
        return []
    return [f"**Mutation responses: ~{ours['median']:.0f} ms on a reused keep-alive connection "
            f"(peer: {peer['median']:.1f} ms).** That is the Nagle / delayed-ACK stall: "
            "`appsync_local/_http_server.py:bind_socket` creates the listening socket with "
            "protocol 0, and asyncio only sets TCP_NODELAY on accepted sockets whose `proto` is "
            "IPPROTO_TCP, so every response after the first on a connection waits for the "
            "client's delayed ACK. `socket.socket(family, socket.SOCK_STREAM, "
            "socket.IPPROTO_TCP)` fixes it (measured while building this benchmark: 44 ms -> "
            "0.8 ms per keep-alive request). It caps the burst rate at 1 subscriber "
            "(8 requests in flight / ~45 ms) and adds ~40 ms to every postMessage answer and to "
            "each publish mutation after the first in a stream batch; frame latency is not "
            "affected (frames are sent before the response).", ""]


def _analytics_md(analytics: list[dict[str, Any]]) -> list[str]:
    if not analytics:
        return []
    lines = ["## Analytics queries (folded in from bench/results/analytics-*.json)", "",
             "Measured by the analytics volume test, not by this run: its own date and host.", ""]
    for item in analytics:
        if item.get("error"):
            lines += [f"- `{item['file']}`: {item['error']}", ""]
            continue
        lines += [f"**{item['file']}** — {item.get('messages')} messages, {item.get('rooms')} "
                  f"rooms; {item.get('backend')}; generated {item.get('generated_at')}; host "
                  f"{_host(item.get('host'))}.", ""]
        summary = item.get("summary") or {}
        if summary:
            lines += ["| Query | Calls | Latency p50 / p95 / max (ms) | Items read p50 / max | "
                      "Capacity units p50 / max | DynamoDB calls p50 |",
                      "|---|---|---|---|---|---|"]
            for query, s in summary.items():
                lat, items = s.get("latency_ms", {}), s.get("items_read", {})
                cap, calls = s.get("capacity_units", {}), s.get("dynamodb_calls", {})
                lines.append(f"| {query} | {s.get('calls')} | {_num(lat.get('p50'))} / "
                             f"{_num(lat.get('p95'))} / {_num(lat.get('max'))} | "
                             f"{_num(items.get('p50'))} / {_num(items.get('max'))} | "
                             f"{_num(cap.get('p50'))} / {_num(cap.get('max'))} | "
                             f"{_num(calls.get('p50'))} |")
            lines.append("")
    return lines


def _host(host: Any) -> str:
    if isinstance(host, dict):
        return ", ".join(f"{k} {v}" for k, v in host.items())
    return str(host) if host else "not given"


def _cell(item: dict[str, Any] | None, *, ratio: bool = False) -> str:
    if item is None or item.get("median") is None:
        return "—"
    if item.get("n") and item["n"] > 1 and item["min"] != item["max"]:
        return (f"{_num(item['median'], ratio=ratio)} "
                f"({_num(item['min'], ratio=ratio)}-{_num(item['max'], ratio=ratio)})")
    return _num(item["median"], ratio=ratio)


def _num(value: Any, *, ratio: bool = False) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    v = float(value)
    if ratio:
        return f"{v:.2f}x" if abs(v) < 100 else f"{v:,.0f}x"
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{v:.1f}" for v in values) if values else "—"


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
