"""`python -m protege` runs the CLI."""

from protege.cli import main

main()
