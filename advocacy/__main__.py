"""`python -m advocacy ...` is the same as the `advocacy` command."""

from advocacy.cli import main

main()
