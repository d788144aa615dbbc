"""From a file to typed scenario data: the workbook format and everything that reads it.

The format is declared once in :mod:`~optimizer.workbook.schema` (every sheet, column,
unit, default and setting). A file is sniffed and checked for safety
(:mod:`~optimizer.workbook.safety`), read into raw cells (:mod:`~optimizer.workbook.read`,
with formula cells recalculated by :mod:`~optimizer.workbook.formulas`), typed cell by cell
(:mod:`~optimizer.workbook.cells`), checked across rows and sheets
(:mod:`~optimizer.workbook.rules`), varied by strategies
(:mod:`~optimizer.workbook.strategies`) and turned into the formulation's
:class:`~models.data.ScenarioData` (:mod:`~optimizer.workbook.scenario_data`).
:func:`~optimizer.workbook.load.load_workbook` is the one entry point. The blank template
(:mod:`~optimizer.workbook.template`) and the format reference in ``docs/``
(:mod:`~optimizer.workbook.reference`) are generated from the same schema.
"""
