"""The verification service (核验): "let the data run, not the citizen" — yes or no, nothing more."""
