"""Ingestion: catalogued resources into the lake, write-audit-publish, one batch per delivery."""
