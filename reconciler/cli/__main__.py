"""`python -m reconciler.cli` runs idc (the console script does the same)."""

from reconciler.cli.main import main

main()
