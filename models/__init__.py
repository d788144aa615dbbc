"""coprocure's formulations: typed scenario data in, Pyomo model out."""
