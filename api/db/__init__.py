"""The database: tables, engines and sessions, migrations and the directory version."""
