"""`python -m protege.cli` runs the CLI."""

from protege.cli import main

main()
