"""What planners compare: many plans of one workbook, and what they are worth.

Coordination modes and one scenario planned under its mode
(:mod:`~optimizer.planning.coordination`), the value of coordination and its Shapley
split (:mod:`~optimizer.planning.shapley`), stress tests of a plan's contracts
(:mod:`~optimizer.planning.stress`), robust two-stage plans with EVPI and VSS
(:mod:`~optimizer.planning.robust`), plans in batches with reuse
(:mod:`~optimizer.planning.batch`), the strategy comparison
(:mod:`~optimizer.planning.compare`) and sweeps (:mod:`~optimizer.planning.sweep`).
"""
