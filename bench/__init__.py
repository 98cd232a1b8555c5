"""Benchmarks (`make bench`): data at scale, page throughput, reminder fan-out, matching.

Every figure is reported as a ratio to a limit measured in the same run (a raw
WSGI callable, a bare Django view, the exact solver), because shared machines
are noisy. Nothing here is imported by the application; `bench.settings` adds
the limit views on top of the production settings for the benchmark only.
Raw results go to bench/out/ (ignored by git); `python -m bench report`
turns them into docs/PERFORMANCE.md.
"""
