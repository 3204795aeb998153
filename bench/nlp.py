"""Benchmark 4 — the local NLP pipeline: warm cost per message, load time, memory.

Each repeat is a fresh process (bench/_nlp_probe.py) running the project's own adapters
(lingua restricted to the configured languages, VADER, YAKE) over 18 short chat lines in
six languages. Baseline in the same run: the same adapters with lingua left at its default
scope (all 75 languages), which is what an unrestricted detector costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ._machine import REPO
from ._model import Section
from ._procs import log


def run(quick: bool = False) -> Section:
    repeats, passes = (1, 1) if quick else (3, 5)
    configs = ("configured",) if quick else ("configured", "all-languages")
    section = Section("nlp", "Local NLP pipeline (language, sentiment, key phrases)",
                      _method(repeats, passes))
    started = time.monotonic()
    if quick:
        section.notes.append("--quick: the all-languages baseline is skipped (it loads ~1.3 GB "
                             "of models for ~30 s)")
    with tempfile.TemporaryDirectory(prefix="bench-nlp-") as tmp:
        for repeat in range(repeats):
            for config in configs if repeat % 2 == 0 else tuple(reversed(configs)):
                log(f"nlp: {config}, repeat {repeat + 1}")
                try:
                    result = _probe(config, 1 if config == "all-languages" else passes,
                                    Path(tmp) / "out.json")
                except Exception as exc:
                    section.status = "partial" if config != "configured" else "error"
                    section.notes.append(f"{config}: {exc}"[:600])
                    continue
                _record(section, config, result)
                section.details.setdefault("runs", []).append(result)
    if any(f.key.startswith("nlp.configured") for f in section.figures):
        section.pair("nlp.message.configured_over_all", "per message: configured / all languages",
                     "nlp.configured.message_us", "nlp.all-languages.message_us",
                     "<1: restricting lingua makes a message cheaper")
        section.pair("nlp.rss.configured_over_all", "resident memory: configured / all languages",
                     "nlp.configured.rss_mb", "nlp.all-languages.rss_mb",
                     "<1: restricting lingua saves memory")
    elif section.status == "ok":
        section.status = "error"
    section.duration_s = time.monotonic() - started
    return section


def _record(section: Section, config: str, result: dict[str, Any]) -> None:
    system = "ours" if config == "configured" else "all-languages"
    languages = result["languages"]
    tag = f"nlp.{config}"
    for stage, label in (("language", "language detection"), ("sentiment", "sentiment (en)"),
                         ("key_phrases", "key phrases"), ("message", "whole message")):
        if stage in result["mean_us"]:
            section.figure(f"{tag}.{stage}_us", f"{label}, warm, mean per message "
                           f"({languages} languages)", "µs", system).add(result["mean_us"][stage])
    section.figure(f"{tag}.load_ms", f"first message incl. model loads ({languages} languages)",
                   "ms", system).add(sum(result["load"].values()))
    section.figure(f"{tag}.rss_mb", f"resident memory after warm-up ({languages} languages)",
                   "MB", system).add(result["rss_end_mb"])
    section.figure(f"{tag}.rss_added_mb", f"memory added by the NLP stack ({languages} languages)",
                   "MB", system).add(result["rss_end_mb"] - result["rss_start_mb"])


def _probe(config: str, passes: int, out: Path) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "bench._nlp_probe", config, str(passes),
                           str(out)], cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"probe failed ({done.returncode}): {done.stderr[-800:]}")
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def _method(repeats: int, passes: int) -> str:
    return (
        f"{repeats} fresh process(es) per configuration. Corpus: 18 chat lines, 3 each in en, "
        f"fr, es, de, it, pt (`bench/_corpus.py`), {passes} warm pass(es) after every model "
        "and YAKE extractor has been loaded. Per message: lingua detection "
        "(`LinguaLanguageDetector`, high accuracy, preloaded models), VADER sentiment for "
        "English messages only (the pipeline cannot score other languages offline: no "
        "translation model), YAKE key phrases (`YakeTopicExtractor`). Figures are means per "
        "message in µs; 'first message' is the cold call that loads the models. Memory = VmRSS "
        "of the process after the warm passes; 'added' subtracts the interpreter's RSS before "
        "the NLP imports. Baseline, same run: lingua over all 75 languages (its default scope) "
        "with the same VADER and YAKE."
    )
