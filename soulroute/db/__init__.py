"""Data layer: connection handling, identity for row-level security, the embedded server."""
