"""Standardise: dbt builds the subject databases; this package generates its catalogue-driven parts
and runs it."""
