"""`python -m pipelines.cli`: the same as the `govlake` command."""

from pipelines.cli import app

app()
