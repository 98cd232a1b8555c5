"""docs/PERFORMANCE.md from the raw results in bench/out/*.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "PERFORMANCE.md"


def _cmd(*args: str) -> str:
    try:
        return subprocess.run(list(args), capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_kb = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")))
        mem_gb = round(mem_kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "os": platform.platform(),
        "python": platform.python_version(), "postgres": _cmd("psql", "--version"),
        "redis": _cmd("redis-server", "--version")[:40],
        "wrk": _cmd("wrk", "--version").splitlines()[0] if _cmd("wrk", "--version") else "",
    }


def load(name: str):
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def write() -> str:
    text = json.dumps({n: load(n) for n in ("pages", "reminders", "matching")}, indent=2)
    return text


def run_all(quick: bool = False) -> None:
    raise NotImplementedError
