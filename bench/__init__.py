"""Benchmarks for Positive Chat and its local AppSync runtime (`python -m bench`).

Each benchmark module measures one subject and returns a `Section` (bench._model);
`bench.report` writes them to bench/results/latest.{json,md}. Every figure is repeated
and reported as a median with its spread, next to a baseline measured in the same run,
because the machines this runs on are shared and absolute times drift.
"""
