"""The local NLP pipeline in a fresh process: load cost, warm per-message cost, memory.

usage: python -m bench._nlp_probe CONFIG PASSES OUT_JSON
CONFIG: "configured" (the languages of infra/env.local.json) or "all-languages" (lingua's
75 languages, the detector's default when nobody restricts it). Same VADER and YAKE.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount = line.split(":", 1)
            values[key] = int(amount.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def main() -> None:
    config, passes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    from bench._corpus import MULTILINGUAL

    rss_start, _ = rss_mb()
    from positive_chat.adapters.nlp import (
        LinguaLanguageDetector,
        VaderSentimentAnalyzer,
        YakeTopicExtractor,
    )

    if config == "all-languages":
        from lingua import Language

        languages = [lang.iso_code_639_1.name.lower() for lang in Language.all()]
    else:
        languages = ["en", "fr", "es", "de", "it", "pt"]
    detector = LinguaLanguageDetector(languages)
    sentiment = VaderSentimentAnalyzer()
    topics = YakeTopicExtractor()

    # Cold: the first message pays the model loads (lingua preloads every configured model).
    text = MULTILINGUAL[0][1]
    started = time.perf_counter()
    guess = detector.detect(text)
    t_lang = time.perf_counter()
    sentiment.analyze(text, "en")
    t_sent = time.perf_counter()
    topics.extract(text, "en")
    t_topics = time.perf_counter()
    load = {"language_ms": (t_lang - started) * 1e3, "sentiment_ms": (t_sent - t_lang) * 1e3,
            "key_phrases_ms": (t_topics - t_sent) * 1e3}
    # Every YAKE language once, so warm timings do not include building an extractor.
    for language, sample in MULTILINGUAL:
        topics.extract(sample, language)
    rss_loaded, _ = rss_mb()

    stages: dict[str, list[float]] = {"language": [], "sentiment": [], "key_phrases": [],
                                      "message": []}
    correct = 0
    for _ in range(passes):
        for expected, sample in MULTILINGUAL:
            t0 = time.perf_counter_ns()
            guess = detector.detect(sample)
            t1 = time.perf_counter_ns()
            language = guess.language if guess else "en"
            # VADER is English only: the pipeline scores other languages via a translation,
            # which is unavailable offline, so only English messages reach it.
            if sentiment.supports(language):
                sentiment.analyze(sample, language)
            t2 = time.perf_counter_ns()
            topics.extract(sample, language)
            t3 = time.perf_counter_ns()
            stages["language"].append((t1 - t0) / 1e3)
            if sentiment.supports(language):
                stages["sentiment"].append((t2 - t1) / 1e3)
            stages["key_phrases"].append((t3 - t2) / 1e3)
            stages["message"].append((t3 - t0) / 1e3)
            correct += language == expected
    rss_end, hwm = rss_mb()
    result: dict[str, Any] = {
        "config": config, "languages": len(languages), "passes": passes,
        "messages": len(stages["message"]), "load": load,
        "mean_us": {k: sum(v) / len(v) for k, v in stages.items() if v},
        "median_us": {k: sorted(v)[len(v) // 2] for k, v in stages.items() if v},
        "rss_start_mb": rss_start, "rss_loaded_mb": rss_loaded, "rss_end_mb": rss_end,
        "peak_rss_mb": hwm, "detected_correctly": correct / max(1, len(stages["message"])),
    }
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
