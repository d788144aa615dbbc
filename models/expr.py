"""Fast construction of linear expressions.

Pyomo's operator overloading builds nested expression trees term by term; for the
hundreds of thousands of terms of a large procurement LP, building each row's
:class:`~pyomo.core.expr.numeric_expr.LinearExpression` from coefficient and variable
lists directly is markedly faster (PITFALLS: idiomatic construction ~25 % slower) and
compiles to exactly the same LP.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from pyomo.core.expr.numeric_expr import LinearExpression

#: A Pyomo expression or relation (Pyomo ships no type information, so this is Any).
PyomoExpr: TypeAlias = Any


def linear(terms: Iterable[tuple[float | PyomoExpr, PyomoExpr]],
           constant: float = 0.0) -> PyomoExpr:
    """sum(coef * var) + constant, for (coef, var) pairs; zero coefficients dropped.

    A coefficient may also be an expression of data held in a fixed variable (a swept
    value, see optimizer/solving/parametric.py); the sum is then built the ordinary way, since a
    LinearExpression takes numbers only.
    """
    coefs: list[float | PyomoExpr] = []
    variables: list[PyomoExpr] = []
    symbolic = False
    for coef, var in terms:
        if isinstance(coef, int | float):
            if not coef:
                continue
        else:
            symbolic = True
        coefs.append(coef)
        variables.append(var)
    if symbolic:
        return constant + sum(c * v for c, v in zip(coefs, variables, strict=True))
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=variables)


def at_least(body: PyomoExpr, rhs: float | PyomoExpr) -> PyomoExpr:
    """The row ``body >= rhs``, kept a ">=" row over ``body`` when ``rhs`` is data held in
    a fixed variable (a swept value, or a number a shared model holds): Pyomo writes
    ``body >= expr`` as ``expr - body <= 0``, whose row is the negated one, with the
    opposite dual, so that the LP would differ from the one a number gives."""
    if isinstance(rhs, int | float):
        return body >= rhs
    return body - rhs >= 0.0
