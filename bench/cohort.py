"""Benchmark: cohort assignment (matches.cohort) at 1,000 × 200 and 5,000 × 1,000.

    .venv/bin/python -m bench.cohort [--seed 1]

Builds synthetic cohorts shaped like the program (20 topics, ~20 mentors per
group, capacities 1-3, contact methods, time zones, a preferred gender for 30%
of mentees and a required one for 5%), then times the two steps the pairing
board's "Draft a whole cohort" runs: scoring every pair (numpy) and the
assignment (matches.cohort.assign: the exact matching on a sparse graph of
each side's top candidates). Prints the
time of each size and how it grew against the number of pairs. No database: this measures the algorithm, and the
selector around it runs a fixed number of queries whatever the cohort size.
"""

import argparse
import math
import time

import numpy as np

from matches import cohort

SIZES = [(1_000, 200), (5_000, 1_000)]


def side(rng, n: int, groups: int, mentor: bool) -> cohort.Side:
    topics = rng.random((n, 20)) < (0.2 if mentor else 0.15)
    contact = rng.random((n, 4)) < 0.5
    tz = rng.choice([-8.0, -7.0, -6.0, -5.0, 0.0, 1.0], n)
    group_of = rng.integers(0, groups, n)
    member = np.zeros((n, groups), dtype=bool)
    member[np.arange(n), group_of] = True
    gender = rng.integers(0, 3, n)
    if mentor:
        return cohort.Side(list(range(n)), topics, contact, tz, member, gender, spare=rng.choice([1, 2, 2, 3], n))
    wants = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), -1)
    required = (wants >= 0) & (rng.random(n) < 0.17)
    return cohort.Side(list(range(n)), topics, contact, tz, member, gender, wants_gender=wants,
                       gender_required=required)


def run(mentees: int, mentors: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    groups = max(1, mentors // 20)
    a, b = side(rng, mentees, groups, False), side(rng, mentors, groups, True)
    t0 = time.perf_counter()
    score = cohort.score_matrix(a, b)
    t1 = time.perf_counter()
    assignment = cohort.assign(score, b.spare)
    t2 = time.perf_counter()
    chosen = assignment >= 0
    load = np.bincount(assignment[chosen], minlength=mentors)
    assert (load <= b.spare).all(), "capacity exceeded"
    return {
        "size": f"{mentees:,} x {mentors:,}", "pairs": mentees * mentors, "places": int(b.spare.sum()),
        "matched": int(chosen.sum()), "score_s": t1 - t0, "assign_s": t2 - t1, "total_s": t2 - t0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = [run(m, n, args.seed) for m, n in SIZES]
    print(f"{'cohort':>15} {'places':>7} {'matched':>8} {'score s':>8} {'assign s':>9} {'total s':>8}")
    for r in rows:
        print(f"{r['size']:>15} {r['places']:>7,} {r['matched']:>8,} {r['score_s']:>8.3f} {r['assign_s']:>9.3f} "
              f"{r['total_s']:>8.3f}")
    small, big = rows[0], rows[-1]
    size_ratio = big["pairs"] / small["pairs"]
    time_ratio = big["total_s"] / max(small["total_s"], 1e-9)
    exponent = math.log(time_ratio) / math.log(size_ratio) if time_ratio > 0 else float("nan")
    print(f"growth: {size_ratio:.0f}x the pairs took {time_ratio:.1f}x the time "
          f"(time ~ pairs^{exponent:.2f})")


if __name__ == "__main__":
    main()
