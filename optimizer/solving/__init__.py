"""One scenario in, one checked plan out; the one boundary to HiGHS.

:mod:`~optimizer.solving.highs` is the only module that imports highspy: it compiles the
Pyomo model to standard form, solves, warm-starts, re-solves a parametric LP and finds
irreducible infeasible sets. Around it: :mod:`~optimizer.solving.plan` (build, solve,
extract, check one scenario), :mod:`~optimizer.solving.extract` (solution to tidy tables
and key figures), :mod:`~optimizer.solving.shadow_prices` (binding rules in the planner's
words), :mod:`~optimizer.solving.checker` (every rule recomputed from the data, independent
of ``models/``), :mod:`~optimizer.solving.diagnose` (why a scenario is infeasible) and
:mod:`~optimizer.solving.parametric` (a sweep compiled once and re-solved warm).
"""
