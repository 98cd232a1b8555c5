"""Cohort assignment at scale against the exact optimum, measured in the same run.

A synthetic cohort of M mentees and N mentors (capacity 1-3 each, 20 topics,
groups of ~20 mentors, a preferred gender for 30% of mentees) gives a score
matrix the way the project's suggestions do: shared topics, same group,
availability overlap, preference met. The project's cohort assignment is
timed on it, and so is the exact optimum: scipy's linear_sum_assignment on the
capacity-expanded matrix (one column per free place), where that fits in
memory. Each solver runs in its own process, so its time and peak memory are
its own (problem generation is timed separately and subtracted from nothing:
peak memory includes the score matrix every solver needs). Each solver runs
REPEATS times, the two taking turns, and its fastest run is kept (as `timeit`
advises: slower runs measure what else the shared machine was doing); every
run's seconds are kept in the JSON.

The project's function is looked up by name (ASSIGNERS); whichever exists is
measured. When none exists, the greedy baseline below is measured instead and
the report says so.
"""

from __future__ import annotations

import importlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EXACT_MAX_CELLS = 200_000_000  # 1.6 GB of float64 in the expanded matrix, plus scipy's work arrays
EXACT_TIMEOUT = 600
REPEATS = 3

# (module, function) pairs tried in order; each takes (scores[M, N], capacities[N]) and returns,
# per mentee, the mentor's column index or -1. Adapters below fit other signatures.
ASSIGNERS = [
    ("matches.cohort", "assign"),
    ("matches.cohort", "cohort_assign"),
    ("matches.suggestions", "cohort_assign"),
    ("matches.services", "cohort_assign"),
]


def problem(m: int, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    topics = 20
    mentee_topics = rng.random((m, topics)) < 0.15
    mentor_topics = rng.random((n, topics)) < 0.2
    groups = max(1, n // 20)
    mentee_group = rng.integers(0, groups, m)
    mentor_group = rng.integers(0, groups, n)
    mentee_avail = rng.integers(0, 16, m)  # 4 bits: weekday/weekend x day/evening
    mentor_avail = rng.integers(0, 16, n)
    mentor_gender = rng.integers(0, 3, n)
    wants = np.where(rng.random(m) < 0.3, rng.integers(0, 3, m), -1)
    scores = (mentee_topics.astype(np.float32) @ mentor_topics.T.astype(np.float32)) * 10.0
    scores += (mentee_group[:, None] == mentor_group[None, :]) * 15.0
    overlap = np.bitwise_and(mentee_avail[:, None], mentor_avail[None, :])
    scores += np.unpackbits(overlap.astype(np.uint8)[..., None], axis=-1).sum(-1, dtype=np.float32) * 4.0
    scores += ((wants[:, None] == mentor_gender[None, :]) & (wants[:, None] >= 0)) * 8.0
    scores += rng.random((m, n), dtype=np.float32)  # ties broken by small personal differences
    capacities = rng.choice([1, 2, 2, 3], n)
    return scores.astype(np.float64), capacities


def total(scores: np.ndarray, capacities: np.ndarray, assignment: np.ndarray) -> tuple[float, int, bool]:
    chosen = assignment >= 0
    load = np.bincount(assignment[chosen], minlength=scores.shape[1])
    valid = bool((load <= capacities).all())
    return float(scores[np.nonzero(chosen)[0], assignment[chosen]].sum()), int(chosen.sum()), valid


def exact(scores: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    from scipy.optimize import linear_sum_assignment

    columns = np.repeat(np.arange(scores.shape[1]), capacities)
    rows, cols = linear_sum_assignment(scores[:, columns], maximize=True)
    assignment = np.full(scores.shape[0], -1)
    assignment[rows] = columns[cols]
    return assignment


def greedy(scores: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    """Bench baseline only (not the project's): best pairs first while places remain."""
    m, n = scores.shape
    order = np.argsort(scores, axis=None)[::-1]
    left = capacities.copy()
    assignment = np.full(m, -1)
    need = min(m, int(capacities.sum()))
    done = 0
    for flat in order:
        i, j = divmod(int(flat), n)
        if assignment[i] < 0 and left[j] > 0:
            assignment[i], left[j] = j, left[j] - 1
            done += 1
            if done == need:
                break
    return assignment


def find_assigner():
    for module, name in ASSIGNERS:
        try:
            fn = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        return f"{module}.{name}", fn
    return None, None


def solve(algo: str, m: int, n: int, seed: int) -> dict:
    """Run one solver on one problem in this process; print JSON (used in a child process)."""
    if algo == "project":
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        django.setup()
    # Imports happen before the clock starts: they are not the algorithm's time (importing
    # scipy.optimize or scipy.sparse.csgraph alone takes a few tenths of a second).
    from scipy.optimize import linear_sum_assignment  # noqa: F401  (imported again in exact())

    name, fn = find_assigner() if algo == "project" else (None, None)
    t0 = time.perf_counter()
    scores, capacities = problem(m, n, seed)
    t1 = time.perf_counter()
    if algo == "exact":
        name, assignment = "scipy linear_sum_assignment (capacity-expanded)", exact(scores, capacities)
    elif algo == "greedy":
        name, assignment = "bench greedy baseline", greedy(scores, capacities)
    else:
        assignment = np.asarray(fn(scores, capacities))
    t2 = time.perf_counter()
    value, matched, valid = total(scores, capacities, assignment)
    return {
        "algo": algo, "name": name, "score": value, "matched": matched, "valid": valid,
        "problem_seconds": round(t1 - t0, 3), "seconds": round(t2 - t1, 3),
        "peak_rss_mb": round(_hwm_kb() / 1024, 1),
    }


def _hwm_kb() -> int:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(algo: str, m: int, n: int, seed: int, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "bench.matching", algo, str(m), str(n), str(seed)]
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"algo": algo, "error": f"did not finish in {timeout:.0f} s"}
    if out.returncode != 0:
        return {"algo": algo, "error": (out.stderr.strip().splitlines() or ["failed"])[-1][:300]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fastest(runs: list[dict]) -> dict:
    """The fastest finished run, with every run's seconds; the first error when none finished."""
    done = [r for r in runs if "seconds" in r]
    if not done:
        return runs[0] if runs else {}
    return {**min(done, key=lambda r: r["seconds"]), "runs_seconds": [r["seconds"] for r in done]}


def run(sizes: list[tuple[int, int]], seed: int = 1) -> dict:
    name, _fn = find_assigner()
    runs = []
    for m, n in sizes:
        row = {"mentees": m, "mentors": n}
        expected_slots = int(n * 2)  # mean capacity 2
        cells = m * expected_slots
        algos = ["project" if name else "greedy"] + (["exact"] if cells <= EXACT_MAX_CELLS else [])
        tries = {algo: [] for algo in algos}
        for _ in range(REPEATS):  # taking turns, so a busy spell weighs on both
            for algo in algos:
                tries[algo].append(_child(algo, m, n, seed, EXACT_TIMEOUT))
        row["candidate"] = _fastest(tries[algos[0]])
        if "exact" in tries:
            row["exact"] = _fastest(tries["exact"])
        else:
            row["exact"] = {"algo": "exact", "error": f"skipped: {cells:,} cells exceed the {EXACT_MAX_CELLS:,} cell limit"}
        cand, ex = row["candidate"], row["exact"]
        if "score" in cand and "score" in ex and ex["score"]:
            row["share_of_optimum"] = cand["score"] / ex["score"]
            row["time_ratio"] = cand["seconds"] / ex["seconds"] if ex["seconds"] else None
        runs.append(row)
        print(f"matching {m}x{n}: {json.dumps(row)}", file=sys.stderr)
    return {"assigner": name, "assigner_missing": name is None, "runs": runs}


if __name__ == "__main__":
    algo, m, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(solve(algo, m, n, seed)))
