"""`python -m bench` (make bench): run the benchmarks, write bench/results/latest.{json,md}.

  python -m bench                 full run (~20 min on 2 cores)
  python -m bench --quick         smoke run: every benchmark, tiny sizes (structure, not figures)
  python -m bench --only fanout,cost --out-dir /tmp/b
  python -m bench --render-only   latest.md again from latest.json
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from . import analytics, coldstart, cost, fanout, nlp, pipeline, report
from ._machine import REPO, load_now, machine, now_utc, versions
from ._model import Section
from ._procs import log

BENCHMARKS: dict[str, Callable[[bool], Section]] = {
    "fanout": fanout.run,
    "pipeline": pipeline.run,
    "coldstart": coldstart.run,
    "nlp": nlp.run,
    "cost": cost.run,
}


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run with tiny sizes and one repeat (checks the report's "
                             "structure; its numbers are not worth quoting)")
    parser.add_argument("--only", default="", metavar="NAMES",
                        help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--out-dir", type=Path, default=REPO / "bench" / "results",
                        help="where latest.json and latest.md go (default bench/results)")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite latest.md from the existing latest.json, measure nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    if args.render_only:
        log(f"wrote {report.rerender(args.out_dir)}")
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    # SIGTERM (e.g. `timeout`) unwinds through the benchmarks' finally blocks, which stop
    # the servers they started.
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    run = {"generated_at": now_utc(), "quick": args.quick,
           "command": "python -m bench" + (" --quick" if args.quick else "")
           + (f" --only {','.join(names)}" if args.only else ""),
           "machine": machine(), "versions": versions()}
    sections: list[Section] = []
    for name in names:
        log(f"{name}: start")
        t0 = time.monotonic()
        try:
            section = BENCHMARKS[name](args.quick)
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            section = Section(name, name, "", status="error",
                              reason=f"{type(exc).__name__}: {exc}"[:800])
        section.duration_s = section.duration_s or time.monotonic() - t0
        log(f"{name}: {section.status} in {section.duration_s:.0f} s")
        sections.append(section)
    run["machine"]["loadavg_end"] = load_now()
    run["duration_s"] = round(time.monotonic() - started, 1)
    json_path, md_path = report.write(args.out_dir, run, sections, analytics.collect())
    log(f"wrote {json_path} and {md_path} in {run['duration_s'] / 60:.1f} min")
    return 0 if all(s.status in ("ok", "partial", "skipped") for s in sections) else 1


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
