"""The verification service (核验): "let the data run, not the citizen" — yes / no / unknown, nothing more."""
