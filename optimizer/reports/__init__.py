"""Workbook writers: tidy tables in, formatted Excel workbooks with native charts out.

One module per workbook: the results of one plan (:mod:`~optimizer.reports.results`),
the strategy comparison (:mod:`~optimizer.reports.comparison`), the stress test
(:mod:`~optimizer.reports.stress`) and the sweep (:mod:`~optimizer.reports.sweep`); the
formatted sheet writer they share (:mod:`~optimizer.reports.sheets`) and the run's
provenance (:mod:`~optimizer.reports.provenance`). Workbooks are written completely or not
at all (:mod:`optimizer.xlsx`).
"""
