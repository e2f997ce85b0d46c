"""What ``api.writes`` offers changes only on purpose: the staff routes and console call it."""

from __future__ import annotations

import inspect

import api.writes
from api.writes import EventWriter, LocationWriter, OrganizationWriter, ResourceWriter, Writer


def test_the_package_surface() -> None:
    assert sorted(api.writes.__all__) == [
        "EventRecord",
        "EventWriter",
        "LocationRecord",
        "LocationWriter",
        "MAX_ID",
        "OrganizationWriter",
        "ResourceWriter",
        "Writer",
        "Written",
        "check_if_match",
    ]
    for name in api.writes.__all__:
        assert getattr(api.writes, name) is not None


def test_every_kind_of_record_has_the_same_four_verbs() -> None:
    for writer in (OrganizationWriter, LocationWriter, ResourceWriter, EventWriter):
        for verb in ("read", "create", "update", "retire"):
            assert callable(getattr(writer, verb, None)), f"{writer.__name__}.{verb}"
    parameters = inspect.signature(Writer).parameters.values()
    assert [(p.name, p.kind) for p in parameters] == [
        (name, inspect.Parameter.KEYWORD_ONLY) for name in ("session", "settings", "actor", "now")
    ]
