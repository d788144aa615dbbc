"""Workbook writers: tidy tables in, formatted, printable Excel workbooks with native
charts out.

One module per workbook: the results of one plan (:mod:`~optimizer.reports.results`),
the strategy comparison (:mod:`~optimizer.reports.comparison`, its Charts sheet in
:mod:`~optimizer.reports.comparison_charts`), the stress test
(:mod:`~optimizer.reports.stress`) and the sweep (:mod:`~optimizer.reports.sweep`). What
they share: the formatted sheet writer with the print rules (:mod:`~optimizer.reports.sheets`),
text and value measures for widths (:mod:`~optimizer.reports.measure`), the printed page
(:mod:`~optimizer.reports.pages`), chart helpers (:mod:`~optimizer.reports.charts`) and the
run's provenance (:mod:`~optimizer.reports.provenance`). Workbooks are written completely
or not at all (:mod:`optimizer.xlsx`).
"""
