"""The static scorecard site: `govlake publish` writes it, `govlake serve` serves it."""
