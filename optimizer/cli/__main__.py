"""`python -m optimizer.cli`: the same as the `coprocure` command."""

from optimizer.cli.app import main

main()
