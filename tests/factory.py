"""Small scenarios built directly as typed data, for known-answer and property tests."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from models import data as md


def checked_objective(data: md.ScenarioData) -> float:
    """The objective of an optimal plan of ``data`` that the independent checker accepts."""
    from optimizer.planning.coordination import plan_coordinated
    from optimizer.solving.highs import Status

    run = plan_coordinated(data)
    assert run.status is Status.OPTIMAL, run.reasons
    assert run.violations == [], [str(v) for v in run.violations]
    return run.objective


def assert_modes_checked_and_ordered(data: md.ScenarioData, rel: float = 1e-6) -> None:
    """Every coordination mode's plan of ``data`` (MIPs to a zero gap) passes the checker,
    and joint planning costs no more than either mode alone."""
    from optimizer.planning.coordination import plan_coordinated
    from optimizer.solving.highs import Status

    costs = {}
    for mode in ("joint", "pro-rata", "sequential"):
        run = plan_coordinated(replace(data, settings=replace(
            data.settings, coordination=mode, mip_gap=0.0)))
        if run.status is Status.OPTIMAL:
            assert run.violations == [], (mode, [str(v) for v in run.violations])
            costs[mode] = run.objective
    if "joint" in costs:
        joint = costs["joint"]
        assert all(joint <= c + rel * max(1.0, abs(c)) for c in costs.values()), costs


def settings(**kw) -> md.Settings:
    base = dict(name="test", unit="t", currency="USD", coordination="joint",
                shortage_penalty=1000.0, discount_rate=0.0, time_limit_s=None, robust="no",
                cvar_alpha=0.95, risk_weight=1.0, spot_premium=0.25,
                # known answers here are derived without the closing-stock credit unless a
                # test sets it (SPEC 3.1 family 13; a workbook's default is 1)
                closing_stock_value=0.0)
    base.update(kw)
    return md.Settings(**base)


def scenario(periods=("t1",), days=365.0, buyers=("B",), materials=("M",), suppliers=(),
             offers=(), demand=(), **kw) -> md.ScenarioData:
    """Suppliers as (name, country[, origin]); offers as (s, m, t, capacity, price[, tier,
    min_offtake]); demand as (b, m, t, qty). Other records as keyword arguments."""
    sups = tuple(md.Supplier(s[0], s[1], s[2] if len(s) > 2 else s[1], True) for s in suppliers)
    offs = tuple(md.Offer(o[0], o[1], o[2], o[5] if len(o) > 5 else 1, float(o[3]), float(o[4]),
                          float(o[6]) if len(o) > 6 else 0.0) for o in offers)
    dem = tuple(md.Demand(*d[:3], float(d[3])) for d in demand)
    sett = kw.pop("settings", settings())
    return md.ScenarioData(settings=sett, periods=tuple(md.Period(p, days) for p in periods),
                           materials=tuple(materials), buyers=tuple(buyers), suppliers=sups,
                           offers=offs, demand=dem, **kw)


def scale_money(data: md.ScenarioData, k: float) -> md.ScenarioData:
    """Every price, cost, penalty and budget times k (tariff rates are fractions: unchanged)."""
    return replace(
        data,
        settings=replace(data.settings, shortage_penalty=data.settings.shortage_penalty * k),
        offers=tuple(replace(o, price=o.price * k) for o in data.offers),
        routes=tuple(replace(r, freight=r.freight * k) for r in data.routes),
        stock_rules=tuple(replace(r, holding_cost=r.holding_cost * k) for r in data.stock_rules),
        policies=tuple(replace(p, penalty=None if p.penalty is None else p.penalty * k)
                       for p in data.policies),
        budgets=tuple(replace(b, amount=b.amount * k) for b in data.budgets),
        sharing=tuple(replace(s, cost=s.cost * k) for s in data.sharing),
    )


@st.composite
def random_scenarios(draw, max_buyers: int = 3, caps: bool | None = None) -> md.ScenarioData:
    """Small random scenarios touching every constraint family; always feasible because
    shortfall is allowed and floors are within what initial stock or supply can meet.
    ``caps`` True always adds a diversification cap (share below 1) per material, False
    never does; None draws which."""
    n_p = draw(st.integers(1, 3))
    periods = tuple(f"p{i}" for i in range(n_p))
    buyers = tuple(f"b{i}" for i in range(draw(st.integers(1, max_buyers))))
    materials = tuple(f"m{i}" for i in range(draw(st.integers(1, 2))))
    countries = ("CN", "AU", "US")
    suppliers = tuple((f"s{i}", countries[i % 3], countries[(i + 1) % 3])
                      for i in range(draw(st.integers(1, 4))))
    money = st.floats(1, 100).map(lambda x: round(x, 2))
    qty = st.floats(0, 50).map(lambda x: round(x, 1))
    offers = []
    for s in suppliers:
        for m in materials:
            if draw(st.booleans()):
                price = draw(money)
                offers.append((s[0], m, "*", draw(qty), price))
                if draw(st.booleans()):
                    offers.append((s[0], m, "*", draw(qty), price + draw(money), 2))
    expanded = [(o[0], o[1], t, *o[3:]) for o in offers for t in periods]
    demand = [(b, m, t, draw(qty)) for b in buyers for m in materials for t in periods]
    # a listed route is closed one time in three; pairs not listed stay open, free and
    # immediate, so most scenarios keep supply within reach of every buyer
    routes = tuple(md.Route(s[0], b, draw(st.floats(0, 5)), draw(st.sampled_from([0, 0.1])),
                            draw(st.integers(0, 1)), draw(st.sampled_from([True, True, False])))
                   for s in suppliers for b in buyers if draw(st.booleans()))
    stock_rules = tuple(md.StockRule(b, m, t, draw(st.sampled_from([0.0, 10.0])), 0.0, None,
                                     draw(st.floats(0, 3)))
                        for b in buyers for m in materials for t in periods)
    # floors are at most 10 days x 50 / 100 days = 5: an initial stock of at least 5 keeps
    # every floor reachable (running short of demand never draws the reserve below it)
    initial = tuple(md.InitialStock(b, m, 5.0 + draw(qty)) for b in buyers for m in materials)
    policies = []
    if draw(st.booleans()) if caps is None else caps:
        penalty = draw(st.sampled_from([None, 50.0]))
        policies = [md.Policy("cap", "max_country_share", "CN", draw(st.sampled_from(
            [None, buyers[0]])), m, draw(st.floats(0.3, 0.9)), draw(st.sampled_from(
                ["period", "horizon"])), penalty) for m in materials]
    sharing = ()
    if len(buyers) > 1 and draw(st.booleans()):
        sharing = tuple(md.Sharing(g, r, m, draw(st.floats(0, 5)), draw(st.sampled_from(
            [None, 5.0]))) for g in buyers for r in buyers if g != r for m in materials)
    return scenario(periods=periods, days=100.0, buyers=buyers, materials=materials,
                    suppliers=suppliers, offers=expanded, demand=demand, routes=routes,
                    stock_rules=stock_rules, initial_stock=initial, policies=tuple(policies),
                    sharing=sharing, settings=settings(shortage_penalty=1000.0,
                                                       discount_rate=draw(st.sampled_from(
                                                           [0.0, 0.05]))))


@st.composite
def random_disrupted(draw) -> md.ScenarioData:
    """A random scenario with one or two disruption scenarios hitting random offers."""
    data = draw(random_scenarios())
    keys = sorted({(o.supplier, o.material, o.period) for o in data.offers})
    if not keys:
        keys = [("s0", data.materials[0], data.periods[0].label)]
    scenarios = []
    for i in range(draw(st.integers(1, 2))):
        hit = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True))
        shocks = tuple(md.Shock(s, m, t, draw(st.floats(0.0, 1.0)), draw(st.floats(1.0, 3.0)))
                       for s, m, t in hit)
        scenarios.append(md.DisruptionScenario(f"d{i}", draw(st.floats(0.0, 0.3)), shocks))
    return replace(data, disruptions=tuple(scenarios))


@st.composite
def random_pooling(draw, max_buyers: int = 3) -> md.ScenarioData:
    """A random scenario with what pooling unlocks (SPEC 3.1): some offers turned into
    deals (bankable minimum, upfront cost, sometimes signable by one partner or by the
    coalition only) and volume discounts on some of the rest (all-units or incremental,
    per period or over the horizon)."""
    data = draw(random_scenarios(max_buyers=max_buyers))
    groups = sorted({(o.supplier, o.material) for o in data.offers})
    deals, discounts, offers = [], [], list(data.offers)
    for s, m in groups:
        rows = [o for o in offers if (o.supplier, o.material) == (s, m)]
        choice = draw(st.sampled_from(["none", "deal", "discount"]))
        if choice == "deal":
            name = f"{s}-{m}"
            share = draw(st.sampled_from([0.0, 0.5, 1.0]))
            offers = [replace(o, deal=name, min_offtake=round(o.capacity * share, 1))
                      if o in rows else o for o in offers]
            signable = draw(st.sampled_from([None, (data.buyers[0],), ("coalition",)]))
            deals.append(md.Deal(name, s, draw(st.sampled_from([0.0, 50.0, 500.0])),
                                 draw(st.sampled_from([0.0, 20.0])), signable))
        elif choice == "discount" and all(o.tier == 1 for o in rows):
            kind = draw(st.sampled_from(["all-units", "incremental"]))
            basis = draw(st.sampled_from(["period", "horizon"]))
            first = draw(st.sampled_from([5.0, 20.0, 40.0]))
            cut = draw(st.sampled_from([0.7, 0.9]))
            prices = {o.period: o.price for o in rows}
            periods = [t for t in data.period_labels if t in prices]
            blocks = [periods] if basis == "horizon" else [[t] for t in periods]
            discounts += [md.DiscountSchedule(
                s, m, basis, kind, tuple(b), (first, first * 2),
                tuple((round(prices[t] * cut, 2), round(prices[t] * cut * cut, 2))
                      for t in b)) for b in blocks]
    return replace(data, offers=tuple(offers), deals=tuple(deals), discounts=tuple(discounts))


@st.composite
def random_processing(draw, max_buyers: int = 3) -> md.ScenarioData:
    """A random scenario with a processing stage (SPEC 3.2): product P made at one or two
    facilities from one or two of the scenario's materials (a recipe per period, random
    capacity, fee and lead time), demanded by some partners and also sold finished; its
    materials at stage "raw", P at "product"; sometimes a cap on China at the product
    stage (hard or soft)."""
    data = draw(random_scenarios(max_buyers=max_buyers))
    periods = data.period_labels
    facilities = [("F0", draw(st.sampled_from(["CN", "AU", "JP"])))]
    if draw(st.booleans()):
        facilities.append(("F1", draw(st.sampled_from(["CN", "AU", "JP"]))))
    recipes = []
    for name, country in facilities:
        inputs = draw(st.lists(st.sampled_from(data.materials), min_size=1, max_size=2,
                               unique=True))
        lead = draw(st.sampled_from([0, 0, 1]))
        for t in periods:
            recipes.append(md.Recipe(
                name, country, "P", t,
                tuple((m, draw(st.sampled_from([0.5, 1.0, 1.2]))) for m in inputs),
                draw(st.sampled_from([0.0, 5.0, 20.0, 100.0])),
                draw(st.sampled_from([0.0, 2.0, 10.0])), lead))
    seller = data.suppliers[0].name
    offers = data.offers + tuple(md.Offer(seller, "P", t, 1, draw(st.sampled_from([0.0, 10.0])),
                                          draw(st.sampled_from([30.0, 200.0])), 0.0)
                                 for t in periods)
    demand = data.demand + tuple(md.Demand(b, "P", t, draw(st.sampled_from([0.0, 5.0, 15.0])))
                                 for b in data.buyers for t in periods)
    policies = data.policies
    if draw(st.booleans()):
        policies += (md.Policy("cn-product", "max_country_share", "CN",
                               draw(st.sampled_from([None, data.buyers[0]])), "P",
                               draw(st.sampled_from([0.3, 0.6])), "period",
                               draw(st.sampled_from([None, 50.0])), stage="product"),)
    return replace(data, materials=(*data.materials, "P"), offers=offers, demand=demand,
                   recipes=tuple(recipes), policies=policies, stages=("raw", "product"),
                   material_stage=(*((m, "raw") for m in data.materials), ("P", "product")))


def calm_stress_and_plan(data: md.ScenarioData) -> tuple[float, float] | None:
    """A plan's cost and what stressing it with no disruption costs (SPEC 5: the same);
    None when ``data`` has no plan."""
    from optimizer.planning.stress import stress_plan
    from optimizer.solving.plan import solve_plan

    run = solve_plan(data)
    if run.result is None:
        return None
    calm = stress_plan(run.result).plan_cost
    assert calm is not None
    return calm, run.objective
