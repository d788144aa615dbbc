"""The ``coprocure`` command line: the Typer app and one module per command.

:mod:`~optimizer.cli.app` builds the app (the ``coprocure`` entry point) and is the one
place that picks exit codes; :mod:`~optimizer.cli.console` holds the error boundary and
the terminal rendering the commands share, :mod:`~optimizer.cli.options` their shared
options; each command (validate, template, solve, diagnose, compare, stress, sweep) has a
module of its own with its options, what it does and what it prints.
"""
