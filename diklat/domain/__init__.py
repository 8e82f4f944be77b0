"""Pure domain rules: no Prefect, no SQLAlchemy, no clock, no I/O.

Every function here takes what it needs (including "today") as arguments, so that it can be
tested with explicit dates and reused by tasks, the CLI and the benchmarks alike.
"""
