"""One rich console for every command, so output styling is decided in one place."""

import sys

from rich.console import Console

console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
