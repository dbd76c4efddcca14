"""The standards engine: national data standards as data (`standards/`) turned into code."""
