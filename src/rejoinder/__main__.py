"""`python -m rejoinder` runs the command line."""

from rejoinder.cli import main

main()
