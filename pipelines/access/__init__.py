"""Access: who reads what (roles, sharing classes, approvals), built into one warehouse per role,
with masking, keyed pseudonyms, an audited query path and the verification service (核验)."""
