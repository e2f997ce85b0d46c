"""The official HSDS 3.1 schemas, made strict as the specification validates its own
examples: ``additionalProperties: false`` on every object, JSON Schema draft 2020-12, with
formats (uuid, uri, email, date-time) checked."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tests.clients import hsds_dir

__all__ = ["SCHEMAS", "problems", "validator"]

SCHEMAS = {
    "service": "compiled/service.json",
    "service_list": "compiled/service_list.json",
    "service_at_location": "compiled/service_at_location.json",
    "service_at_location_list": "compiled/service_at_location_list.json",
    "organization": "compiled/organization.json",
    "organization_list": "compiled/organization_list.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        strict = {key: _strict(value) for key, value in schema.items()}
        if "properties" in strict:
            strict["additionalProperties"] = False
        return strict
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((hsds_dir() / "schema" / SCHEMAS[name]).read_text(encoding="utf-8"))
    strict = _strict(schema)
    Draft202012Validator.check_schema(strict)
    return Draft202012Validator(strict, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(name: str, record: Any) -> list[str]:
    """Every way ``record`` breaks the strict schema ``name``: where, and what."""
    errors: list[ValidationError] = sorted(
        validator(name).iter_errors(record), key=lambda e: list(e.absolute_path)
    )
    return [f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}" for e in errors]
