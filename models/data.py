"""The formulation's input contract: a validated scenario as frozen, explicit records.

Everything here is plain data: no spreadsheet, no file, no `*`. The application layer
(``optimizer``) reads and validates a workbook, expands every `*` and default, and
hands the model one :class:`ScenarioData`; that is the only way data enters
``models/``. Each record's ``src`` names where it came from (for example
``"Supply!7"``) so that messages and diagnoses can speak in the planner's terms; the
formulation never interprets it.

Units: quantities in ``settings.unit``, money in ``settings.currency``; prices and
costs per unit of quantity; shares and tariffs as fractions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

Coordination = Literal["joint", "pro-rata", "sequential"]
Robust = Literal["no", "expected", "cvar"]
PolicyKind = Literal["max_supplier_share", "max_country_share", "max_origin_share"]
Scope = Literal["period", "horizon"]


@dataclass(frozen=True)
class Settings:
    name: str
    unit: str
    currency: str
    coordination: Coordination
    shortage_penalty: float  # already resolved: 10 x the highest price when left blank
    discount_rate: float
    time_limit_s: float | None
    robust: Robust
    cvar_alpha: float
    risk_weight: float
    spot_premium: float
    # share of the shortage penalty per unit and year below a stockpile floor (SPEC 5)
    reserve_gap_penalty: float = 0.1
    # relative gap at which a mixed-integer plan is accepted (SPEC 3.1, 4.1)
    mip_gap: float = 1e-4
    # share of the credit price at which stock left at the end is credited (SPEC 3.1
    # family 13); a workbook's default is 1
    closing_stock_value: float = 1.0


@dataclass(frozen=True)
class Period:
    label: str
    days: float


@dataclass(frozen=True)
class Supplier:
    name: str
    country: str
    origin: str  # the mining country; equals `country` when the workbook leaves it blank
    active: bool
    src: str = ""


@dataclass(frozen=True)
class Offer:
    """One price tier of one supplier's offer of one material in one period."""

    supplier: str
    material: str
    period: str
    tier: int
    capacity: float
    price: float
    min_offtake: float
    src: str = ""
    # the partners who may buy it (an entitlement, SPEC 3.1 family 12); None: every partner
    buyers: tuple[str, ...] | None = None
    # the deal it belongs to (SPEC 3.1 family 10): it exists only if the deal is signed
    deal: str | None = None

    def open_to(self, buyer: str) -> bool:
        return self.buyers is None or buyer in self.buyers


@dataclass(frozen=True)
class Deal:
    """An all-or-nothing commitment (SPEC 3.1 family 10): a bankable offtake, a prepayment
    or stake in a new mine or plant. Its offers are the Supply rows naming it; its term
    is the periods of those rows."""

    name: str
    supplier: str
    upfront_cost: float  # paid in the first period of its term
    fixed_cost: float  # paid in every period of its term
    # who may sign it: None, any planning unit; names, a unit holding one of them;
    # COALITION, only all partners together
    signable_by: tuple[str, ...] | None = None
    src: str = ""

    def signable(self, members: Collection[str], partners: Collection[str]) -> bool:
        """Whether a planning unit of ``members`` (out of all ``partners``) may sign it."""
        if self.signable_by is None:
            return True
        if self.signable_by == (COALITION,):
            return set(partners) <= set(members)
        return any(b in members for b in self.signable_by)


COALITION = "coalition"  # Deals `signable_by`: only all partners together

DiscountBasis = Literal["period", "horizon"]
DiscountType = Literal["all-units", "incremental"]


@dataclass(frozen=True)
class DiscountSchedule:
    """Price breaks on the volume bought from one supplier of one material (SPEC 3.1
    family 11), already expanded: per period (``periods`` holds one period) or over the
    horizon (every period of the offer). ``breaks`` are the inclusive from-quantities,
    rising; ``prices[i][k]`` is the unit price from ``breaks[k]`` on in ``periods[i]``;
    below the first break each period's Supply price applies."""

    supplier: str
    material: str
    basis: DiscountBasis
    kind: DiscountType
    periods: tuple[str, ...]
    breaks: tuple[float, ...]
    prices: tuple[tuple[float, ...], ...]
    src: str = ""
    # whose purchases make the volume; None: the planning unit's (every buyer of the
    # data). Set only to price pooled buying on each partner's own volume (SPEC 3.1, C1).
    buyers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Demand:
    buyer: str
    material: str
    period: str
    quantity: float
    src: str = ""


@dataclass(frozen=True)
class Route:
    supplier: str
    buyer: str
    freight: float
    tariff: float
    lead_time: int
    open: bool
    src: str = ""


@dataclass(frozen=True)
class StockRule:
    """The stock rule of one buyer, material and period (defaults already applied)."""

    buyer: str
    material: str
    period: str
    min_days: float
    min_level: float
    max_level: float | None  # None: no ceiling
    holding_cost: float
    src: str = ""


@dataclass(frozen=True)
class InitialStock:
    buyer: str
    material: str
    quantity: float
    src: str = ""


@dataclass(frozen=True)
class Policy:
    """One diversification cap, already expanded: one target, one material.

    ``buyer`` is None for a coalition-wide cap. ``penalty`` None means a hard rule.
    """

    name: str
    kind: PolicyKind
    target: str
    buyer: str | None
    material: str
    share: float
    scope: Scope
    penalty: float | None
    src: str = ""
    # the stage it caps (SPEC 3.2 family 16): it then counts purchases by supplier country
    # plus processing output by facility country of the materials at that stage; None:
    # purchases only, as without stages
    stage: str | None = None


@dataclass(frozen=True)
class Recipe:
    """One facility making one output in one period (SPEC 3.2 family 15), expanded from
    the Processing rows of that facility and output (a named period's rows replace the
    `*` rows for it). A partner's processing started in ``period`` draws the inputs from
    its own stock then and adds the output to it ``lead_time`` periods later."""

    facility: str
    country: str
    output: str
    period: str
    inputs: tuple[tuple[str, float], ...]  # (material, units of it per unit of output)
    capacity: float  # output started in the period, shared by every partner
    fee: float  # money per unit of output, paid in the period processing starts
    lead_time: int = 0
    deal: str | None = None  # the capacity exists only if this deal is signed
    src: str = ""


@dataclass(frozen=True)
class Budget:
    buyer: str
    period: str
    amount: float
    src: str = ""


@dataclass(frozen=True)
class Sharing:
    giver: str
    receiver: str
    material: str
    cost: float
    limit: float | None  # per period; None: no limit
    src: str = ""


@dataclass(frozen=True)
class Shock:
    """One (supplier, material, period) hit by a disruption scenario."""

    supplier: str
    material: str
    period: str
    capacity_factor: float
    price_factor: float
    src: str = ""
    # the partner whose deliveries and spot purchases it hits (an embargo aimed at one
    # partner, SPEC 4.14); None: everybody's
    buyer: str | None = None


@dataclass(frozen=True)
class DisruptionScenario:
    name: str
    probability: float
    shocks: tuple[Shock, ...]


@dataclass(frozen=True)
class ScenarioData:
    settings: Settings
    periods: tuple[Period, ...]
    materials: tuple[str, ...]
    buyers: tuple[str, ...]  # in planning order (sequential mode)
    suppliers: tuple[Supplier, ...]
    offers: tuple[Offer, ...]
    demand: tuple[Demand, ...]
    routes: tuple[Route, ...] = ()
    initial_stock: tuple[InitialStock, ...] = ()
    stock_rules: tuple[StockRule, ...] = ()
    policies: tuple[Policy, ...] = ()  # active ones only
    budgets: tuple[Budget, ...] = ()
    sharing: tuple[Sharing, ...] = ()
    disruptions: tuple[DisruptionScenario, ...] = field(default=())
    # (material, money per unit short) where a material's penalty differs from the
    # setting's (SPEC 3.1 family 13: a tonne of Tb short stops more output than one of NdPr)
    material_penalties: tuple[tuple[str, float], ...] = ()
    deals: tuple[Deal, ...] = ()
    discounts: tuple[DiscountSchedule, ...] = ()
    # (material, credit price) for the closing stock, computed once on the whole
    # coalition's data (:func:`credit_prices`) and kept when a partner plans alone, so the
    # price is the same in every mode; None: computed from this data
    credit: tuple[tuple[str, float], ...] | None = None
    # processing stages (SPEC 3.2): the stage labels in order, each material's stage
    # (materials without one are at no stage: a workbook without stages), and the recipes
    stages: tuple[str, ...] = ()
    material_stage: tuple[tuple[str, str], ...] = ()
    recipes: tuple[Recipe, ...] = ()

    @property
    def period_labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.periods)

    def credit_prices(self) -> dict[str, float]:
        """Material -> the price its closing stock is credited at (before the
        ``closing_stock_value`` share); a material without one gets no credit."""
        return dict(self.credit) if self.credit is not None else credit_prices(self)

    def shortage_penalty(self, material: str) -> float:
        """Money per unit of ``material`` short: its own penalty, else the setting's."""
        return dict(self.material_penalties).get(material, self.settings.shortage_penalty)


def credit_prices(data: ScenarioData) -> dict[str, float]:
    """SPEC 3.1, closing-stock credit: for each material, the lowest landed price (price x
    (1 + tariff) + freight) at which any partner could buy it in the last period, over
    every last-period Supply row with positive capacity from an active supplier (deal rows
    included), every partner the row is open to on an open route, at its Supply price and
    at every discount price applying to it in that period; lead times do not matter."""
    last = data.periods[-1].label
    active = {s.name for s in data.suppliers if s.active}
    routes = {(r.supplier, r.buyer): r for r in data.routes}
    discounted: dict[tuple[str, str], list[float]] = {}
    for s in data.discounts:
        if last in s.periods:
            discounted.setdefault((s.supplier, s.material), []).extend(
                s.prices[s.periods.index(last)])
    out: dict[str, float] = {}
    for o in data.offers:
        if o.period != last or o.capacity <= 0 or o.supplier not in active:
            continue
        prices = [o.price, *discounted.get((o.supplier, o.material), [])]
        for b in data.buyers:
            route = routes.get((o.supplier, b))
            if not o.open_to(b) or (route is not None and not route.open):
                continue
            tariff = route.tariff if route is not None else 0.0
            freight = route.freight if route is not None else 0.0
            landed = min(p * (1.0 + tariff) + freight for p in prices)
            out[o.material] = min(out.get(o.material, landed), landed)
    return out
