"""Connectors: one module per source kind of the catalogue (database, file csv/xlsx, http json)."""
