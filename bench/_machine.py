"""The machine and the software a run measured: printed next to every figure.

Load average is recorded at the start and the end because these machines are shared:
a reader comparing two reports needs to know whether other work was running.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

# Python distributions whose versions shape the figures (runtime, handlers, NLP, client).
PYTHON_PACKAGES = (
    "boto3", "botocore", "aws-lambda-powertools", "gql", "graphql-core", "starlette",
    "uvicorn", "websockets", "aiohttp", "moto", "lingua-language-detector",
    "vaderSentiment", "yake", "numpy",
)


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(_meminfo_kb("MemTotal") / 1024 / 1024, 1),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "loadavg_start": list(os.getloadavg()),
    }


def load_now() -> list[float]:
    return list(os.getloadavg())


def versions() -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in PYTHON_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "node": _first_line(["node", "--version"]),
        "java": _first_line(["java", "-version"], stderr=True),
        "dynamodb_local": _dynamodb_local_version(),
        "amplify_appsync_simulator": _npm_version("amplify-appsync-simulator"),
        "packages": packages,
        "git_commit": _first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(_first_line(["git", "-C", str(REPO), "status", "--porcelain",
                                       "--untracked-files=no"])),
    }


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meminfo_kb(key: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _first_line(cmd: list[str], *, stderr: bool = False) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stderr if stderr else done.stdout).strip()
    return text.splitlines()[0] if text else None


def _npm_version(package: str) -> str | None:
    manifest = REPO / "bench" / "peer" / "node_modules" / package / "package.json"
    try:
        import json

        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def _dynamodb_local_version() -> str | None:
    """The npm package DynamoDB Local was fetched from (the Makefile pins it)."""
    makefile = REPO / "Makefile"
    try:
        for line in makefile.read_text().splitlines():
            if line.startswith("DDB_LOCAL_PKG"):
                return line.split(":=", 1)[1].strip()
    except OSError:
        pass
    return None
