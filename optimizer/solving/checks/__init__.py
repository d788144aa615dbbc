"""The independent checker's rule families (SPEC section 3), one module each, recomputed
from the scenario data and the plan's tables with array operations; the entry point,
:func:`optimizer.solving.checker.check_plan`, runs them all and recomputes the objective.

Like the entry point, nothing here imports the formulation (``models.index``,
``models/constraints``, Pyomo): only the typed records of :mod:`models.data`.
"""
