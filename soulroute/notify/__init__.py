"""Notifications (issue 7): the in-app inbox, live pushes to open tabs, email, crisis escalation.

The notifications themselves are created by the database (migration 0007) for every ticket change,
so this package only reads them, marks them read, and delivers them."""
