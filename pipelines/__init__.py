"""govlake: departmental data into standardised subject databases, with quality scorecards."""

__version__ = "0.1.0"
