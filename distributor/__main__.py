"""`python -m distributor` is the `distributor` command."""

from distributor.cli import main

main()
