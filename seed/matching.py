"""Normalised keys that find a row again on the next import when it has no external_id.

``"1400 S. Lamar St."`` and ``"1400 s lamar st"`` are the same place; case, accents,
punctuation and runs of spaces do not make a new listing.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["normalized", "place_key"]


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=1 << 16)
def normalized(text: str | None) -> str:
    """Cached: a bulk import asks for the same cities, names and addresses again and again."""
    if not text:
        return ""
    if text.isascii():  # nothing to decompose: the same answer, without a step per character
        return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def place_key(
    *,
    name: str | None,
    address: str | None,
    city: str | None,
    state: str | None,
    postal_code: str | None,
) -> tuple[str, ...]:
    """The key of a place: its street address, else its name where it is, e.g. a ZIP."""
    zip5 = normalized(postal_code)[:5]
    if address:
        return ("address", normalized(address), normalized(city), normalized(state), zip5)
    return ("named", normalized(name), normalized(city), normalized(state), zip5)
