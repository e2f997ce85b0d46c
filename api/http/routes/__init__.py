"""The REST API: one module per resource, public and staff."""
