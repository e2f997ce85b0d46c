"""The directory's own rules: schemas, audit, problem reports, hours and languages."""
