"""Normalised keys: case, accents, punctuation and spacing do not make a new place."""

from __future__ import annotations

import pytest

from seed.matching import normalized, place_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1400 S. Lamar St.", "1400 s lamar st"),
        ("  1400   s lamar ST ", "1400 s lamar st"),
        ("Suite #2,\tDallas\n", "suite 2 dallas"),
        ("Asesoría Legal—Norte", "asesoria legal norte"),
        ("ÉCOLE Ñandú", "ecole nandu"),
        ("ﬁve Straße", "five strasse"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalized(text: str | None, expected: str) -> None:
    assert normalized(text) == expected


def test_the_same_place_however_written() -> None:
    one = place_key(
        name="X", address="100 Main St.", city="Dallas", state="TX", postal_code="75201-1234"
    )
    other = place_key(
        name="Y", address="100 MAIN ST", city="dallas", state="tx", postal_code="75201"
    )
    assert one == other
