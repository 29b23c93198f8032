"""`python -m bench` runs the benchmark (see run.py)."""

from bench.run import main

main()
