"""Cell parsers keep giving fresh values when they answer from their cache."""

from __future__ import annotations

from api.db.models import Support
from seed.fields import parse_languages


def test_parsed_languages_are_a_fresh_list_each_time() -> None:
    first = parse_languages("es:staff;vi:interpreter")
    first.append(("en", Support.STAFF))
    assert parse_languages("es:staff;vi:interpreter") == [
        ("es", Support.STAFF),
        ("vi", Support.INTERPRETER),
    ]
