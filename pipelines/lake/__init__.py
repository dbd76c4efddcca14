"""The lake: immutable raw batches, quarantine, and the load ledger that says what was published."""
