"""Live updates from PostgreSQL LISTEN/NOTIFY to the tabs connected to this backend process."""
